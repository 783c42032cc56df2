package dev.nabla.cpu.testkit;

import dev.nabla.testkit.AutogradGradientsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuAutogradGradientsTest extends AutogradGradientsSuite { }
