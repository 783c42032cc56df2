package dev.nabla.cpu.testkit;

import dev.nabla.testkit.OptimizerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuOptimizerTest extends OptimizerSuite { }
