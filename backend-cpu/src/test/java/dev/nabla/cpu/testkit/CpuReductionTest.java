package dev.nabla.cpu.testkit;

import dev.nabla.testkit.ReductionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuReductionTest extends ReductionSuite { }
