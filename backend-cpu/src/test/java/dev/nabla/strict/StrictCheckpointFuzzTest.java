package dev.nabla.strict;

import dev.nabla.testkit.CheckpointFuzzSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictCheckpointFuzzTest extends CheckpointFuzzSuite { }
