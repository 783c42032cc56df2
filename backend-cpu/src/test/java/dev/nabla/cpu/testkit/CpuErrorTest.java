package dev.nabla.cpu.testkit;

import dev.nabla.testkit.ErrorSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuErrorTest extends ErrorSuite { }
