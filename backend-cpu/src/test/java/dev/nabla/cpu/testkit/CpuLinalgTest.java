package dev.nabla.cpu.testkit;

import dev.nabla.testkit.LinalgSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuLinalgTest extends LinalgSuite { }
