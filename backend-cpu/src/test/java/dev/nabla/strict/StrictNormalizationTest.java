package dev.nabla.strict;

import dev.nabla.testkit.NormalizationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictNormalizationTest extends NormalizationSuite { }
