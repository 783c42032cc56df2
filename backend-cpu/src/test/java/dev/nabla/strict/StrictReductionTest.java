package dev.nabla.strict;

import dev.nabla.testkit.ReductionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictReductionTest extends ReductionSuite { }
