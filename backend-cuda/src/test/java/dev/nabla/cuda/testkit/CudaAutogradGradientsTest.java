package dev.nabla.cuda.testkit;

import dev.nabla.testkit.AutogradGradientsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaAutogradGradientsTest extends AutogradGradientsSuite { }
