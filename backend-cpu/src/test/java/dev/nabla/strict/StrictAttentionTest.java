package dev.nabla.strict;

import dev.nabla.testkit.AttentionSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictAttentionTest extends AttentionSuite { }
