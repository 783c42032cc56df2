package dev.nabla.strict;

import dev.nabla.testkit.RandomSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictRandomTest extends RandomSuite { }
