package dev.nabla.strict;

import dev.nabla.testkit.OpRecordSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictOpRecordTest extends OpRecordSuite { }
