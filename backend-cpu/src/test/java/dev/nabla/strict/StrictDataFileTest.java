package dev.nabla.strict;

import dev.nabla.testkit.DataFileSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictDataFileTest extends DataFileSuite { }
