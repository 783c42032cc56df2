package dev.nabla.strict;

import dev.nabla.testkit.CheckpointSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictCheckpointTest extends CheckpointSuite { }
