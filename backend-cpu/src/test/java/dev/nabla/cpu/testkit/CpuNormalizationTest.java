package dev.nabla.cpu.testkit;

import dev.nabla.testkit.NormalizationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuNormalizationTest extends NormalizationSuite { }
