package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ElementwiseSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaElementwiseTest extends ElementwiseSuite { }
