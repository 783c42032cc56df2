package dev.nabla.cpu.testkit;

import dev.nabla.testkit.ModuleSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuModuleTest extends ModuleSuite { }
