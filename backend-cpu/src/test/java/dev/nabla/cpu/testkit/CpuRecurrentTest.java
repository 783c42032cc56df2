package dev.nabla.cpu.testkit;

import dev.nabla.testkit.RecurrentSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuRecurrentTest extends RecurrentSuite { }
