package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LayerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaLayerTest extends LayerSuite { }
