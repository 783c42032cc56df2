package dev.nabla.cuda.testkit;

import dev.nabla.testkit.AttentionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaAttentionTest extends AttentionSuite { }
