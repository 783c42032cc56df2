package dev.nabla.cuda.testkit;

import dev.nabla.testkit.MemorySuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaMemoryTest extends MemorySuite { }
