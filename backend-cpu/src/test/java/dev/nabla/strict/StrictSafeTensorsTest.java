package dev.nabla.strict;

import dev.nabla.testkit.SafeTensorsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictSafeTensorsTest extends SafeTensorsSuite { }
