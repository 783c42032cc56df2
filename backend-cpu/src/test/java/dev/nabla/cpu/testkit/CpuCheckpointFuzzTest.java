package dev.nabla.cpu.testkit;

import dev.nabla.testkit.CheckpointFuzzSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuCheckpointFuzzTest extends CheckpointFuzzSuite { }
