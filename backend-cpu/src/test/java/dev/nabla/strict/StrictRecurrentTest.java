package dev.nabla.strict;

import dev.nabla.testkit.RecurrentSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictRecurrentTest extends RecurrentSuite { }
