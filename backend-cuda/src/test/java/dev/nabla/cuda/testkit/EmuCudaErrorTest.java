package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ErrorSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaErrorTest extends ErrorSuite { }
