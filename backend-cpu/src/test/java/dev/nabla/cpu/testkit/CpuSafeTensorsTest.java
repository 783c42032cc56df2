package dev.nabla.cpu.testkit;

import dev.nabla.testkit.SafeTensorsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuSafeTensorsTest extends SafeTensorsSuite { }
