package dev.nabla.cpu.testkit;

import dev.nabla.testkit.AttentionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuAttentionTest extends AttentionSuite { }
