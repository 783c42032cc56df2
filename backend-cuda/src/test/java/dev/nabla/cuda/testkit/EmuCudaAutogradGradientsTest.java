package dev.nabla.cuda.testkit;

import dev.nabla.testkit.AutogradGradientsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaAutogradGradientsTest extends AutogradGradientsSuite { }
