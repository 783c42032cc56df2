package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LayerGradientSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaLayerGradientTest extends LayerGradientSuite { }
