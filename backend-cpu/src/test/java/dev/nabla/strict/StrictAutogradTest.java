package dev.nabla.strict;

import dev.nabla.testkit.AutogradSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictAutogradTest extends AutogradSuite { }
