package dev.nabla.strict;

import dev.nabla.testkit.LayerGradientSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictLayerGradientTest extends LayerGradientSuite { }
