package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LayerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaLayerTest extends LayerSuite { }
