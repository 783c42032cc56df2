package dev.nabla.cpu.testkit;

import dev.nabla.testkit.AutogradSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuAutogradTest extends AutogradSuite { }
