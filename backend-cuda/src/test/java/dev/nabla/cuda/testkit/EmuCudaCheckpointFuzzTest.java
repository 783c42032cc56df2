package dev.nabla.cuda.testkit;

import dev.nabla.testkit.CheckpointFuzzSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaCheckpointFuzzTest extends CheckpointFuzzSuite { }
