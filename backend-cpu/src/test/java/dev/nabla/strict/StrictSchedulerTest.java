package dev.nabla.strict;

import dev.nabla.testkit.SchedulerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictSchedulerTest extends SchedulerSuite { }
