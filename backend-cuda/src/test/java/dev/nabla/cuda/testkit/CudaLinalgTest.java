package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LinalgSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaLinalgTest extends LinalgSuite { }
