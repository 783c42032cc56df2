package dev.nabla.cpu.testkit;

import dev.nabla.testkit.OpRecordSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuOpRecordTest extends OpRecordSuite { }
