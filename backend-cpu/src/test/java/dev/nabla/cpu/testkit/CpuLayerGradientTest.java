package dev.nabla.cpu.testkit;

import dev.nabla.testkit.LayerGradientSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuLayerGradientTest extends LayerGradientSuite { }
