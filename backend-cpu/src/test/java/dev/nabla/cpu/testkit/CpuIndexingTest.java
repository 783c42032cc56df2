package dev.nabla.cpu.testkit;

import dev.nabla.testkit.IndexingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuIndexingTest extends IndexingSuite { }
