package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ReductionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaReductionTest extends ReductionSuite { }
