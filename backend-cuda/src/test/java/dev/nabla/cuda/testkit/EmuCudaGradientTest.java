package dev.nabla.cuda.testkit;

import dev.nabla.testkit.GradientSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaGradientTest extends GradientSuite { }
