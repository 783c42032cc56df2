package dev.nabla.strict;

import dev.nabla.testkit.ErrorSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictErrorTest extends ErrorSuite { }
