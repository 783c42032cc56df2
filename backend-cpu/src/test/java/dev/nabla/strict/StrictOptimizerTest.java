package dev.nabla.strict;

import dev.nabla.testkit.OptimizerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictOptimizerTest extends OptimizerSuite { }
