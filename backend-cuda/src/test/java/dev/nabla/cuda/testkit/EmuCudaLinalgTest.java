package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LinalgSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaLinalgTest extends LinalgSuite { }
