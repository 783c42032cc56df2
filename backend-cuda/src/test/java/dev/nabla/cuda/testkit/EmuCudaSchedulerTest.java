package dev.nabla.cuda.testkit;

import dev.nabla.testkit.SchedulerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaSchedulerTest extends SchedulerSuite { }
