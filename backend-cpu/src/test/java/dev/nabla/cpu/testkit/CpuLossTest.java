package dev.nabla.cpu.testkit;

import dev.nabla.testkit.LossSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuLossTest extends LossSuite { }
