package dev.nabla.cuda.testkit;

import dev.nabla.testkit.CheckpointSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaCheckpointTest extends CheckpointSuite { }
