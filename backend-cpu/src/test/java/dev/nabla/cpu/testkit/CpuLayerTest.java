package dev.nabla.cpu.testkit;

import dev.nabla.testkit.LayerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuLayerTest extends LayerSuite { }
