package dev.nabla.strict;

import dev.nabla.testkit.ElementwiseSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictElementwiseTest extends ElementwiseSuite { }
