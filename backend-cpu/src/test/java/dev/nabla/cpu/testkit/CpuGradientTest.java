package dev.nabla.cpu.testkit;

import dev.nabla.testkit.GradientSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuGradientTest extends GradientSuite { }
