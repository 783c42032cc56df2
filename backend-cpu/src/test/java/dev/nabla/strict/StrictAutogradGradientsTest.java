package dev.nabla.strict;

import dev.nabla.testkit.AutogradGradientsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictAutogradGradientsTest extends AutogradGradientsSuite { }
