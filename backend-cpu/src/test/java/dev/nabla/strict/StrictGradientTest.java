package dev.nabla.strict;

import dev.nabla.testkit.GradientSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictGradientTest extends GradientSuite { }
