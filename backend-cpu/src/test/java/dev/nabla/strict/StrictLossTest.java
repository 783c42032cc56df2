package dev.nabla.strict;

import dev.nabla.testkit.LossSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictLossTest extends LossSuite { }
