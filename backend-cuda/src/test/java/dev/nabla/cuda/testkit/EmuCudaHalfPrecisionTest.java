package dev.nabla.cuda.testkit;

import dev.nabla.testkit.HalfPrecisionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaHalfPrecisionTest extends HalfPrecisionSuite { }
