package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ErrorSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaErrorTest extends ErrorSuite { }
