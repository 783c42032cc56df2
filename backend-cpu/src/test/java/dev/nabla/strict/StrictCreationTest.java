package dev.nabla.strict;

import dev.nabla.testkit.CreationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictCreationTest extends CreationSuite { }
