package dev.nabla.cpu.testkit;

import dev.nabla.testkit.ViewSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuViewTest extends ViewSuite { }
