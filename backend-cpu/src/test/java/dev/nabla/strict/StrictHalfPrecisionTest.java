package dev.nabla.strict;

import dev.nabla.testkit.HalfPrecisionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictHalfPrecisionTest extends HalfPrecisionSuite { }
