package dev.nabla.strict;

import dev.nabla.testkit.ViewSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictViewTest extends ViewSuite { }
