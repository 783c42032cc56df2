package dev.nabla.cpu.testkit;

import dev.nabla.testkit.HalfPrecisionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuHalfPrecisionTest extends HalfPrecisionSuite { }
