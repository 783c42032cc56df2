package dev.nabla.strict;

import dev.nabla.testkit.DataSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictDataTest extends DataSuite { }
