package dev.nabla.cpu.testkit;

import dev.nabla.testkit.SchedulerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuSchedulerTest extends SchedulerSuite { }
