package dev.nabla.strict;

import dev.nabla.testkit.MemorySuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictMemoryTest extends MemorySuite { }
