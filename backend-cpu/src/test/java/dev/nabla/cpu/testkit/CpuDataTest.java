package dev.nabla.cpu.testkit;

import dev.nabla.testkit.DataSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuDataTest extends DataSuite { }
