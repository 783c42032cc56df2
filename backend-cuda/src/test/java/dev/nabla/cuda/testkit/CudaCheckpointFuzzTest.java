package dev.nabla.cuda.testkit;

import dev.nabla.testkit.CheckpointFuzzSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaCheckpointFuzzTest extends CheckpointFuzzSuite { }
