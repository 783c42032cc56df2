package dev.nabla.cpu.testkit;

import dev.nabla.testkit.CreationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuCreationTest extends CreationSuite { }
