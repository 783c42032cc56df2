package dev.nabla.strict;

import dev.nabla.testkit.LayerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictLayerTest extends LayerSuite { }
