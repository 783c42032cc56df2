package dev.nabla.cpu.testkit;

import dev.nabla.testkit.DataFileSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuDataFileTest extends DataFileSuite { }
