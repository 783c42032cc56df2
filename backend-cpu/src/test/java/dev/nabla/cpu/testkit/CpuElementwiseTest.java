package dev.nabla.cpu.testkit;

import dev.nabla.testkit.ElementwiseSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuElementwiseTest extends ElementwiseSuite { }
