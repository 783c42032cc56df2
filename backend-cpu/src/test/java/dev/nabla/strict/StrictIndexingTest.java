package dev.nabla.strict;

import dev.nabla.testkit.IndexingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictIndexingTest extends IndexingSuite { }
