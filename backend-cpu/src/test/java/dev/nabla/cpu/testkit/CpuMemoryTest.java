package dev.nabla.cpu.testkit;

import dev.nabla.testkit.MemorySuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuMemoryTest extends MemorySuite { }
