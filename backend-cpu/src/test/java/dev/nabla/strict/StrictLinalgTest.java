package dev.nabla.strict;

import dev.nabla.testkit.LinalgSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictLinalgTest extends LinalgSuite { }
