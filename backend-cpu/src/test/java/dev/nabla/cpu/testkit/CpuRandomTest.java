package dev.nabla.cpu.testkit;

import dev.nabla.testkit.RandomSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuRandomTest extends RandomSuite { }
