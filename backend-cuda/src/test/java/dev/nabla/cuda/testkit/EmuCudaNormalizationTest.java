package dev.nabla.cuda.testkit;

import dev.nabla.testkit.NormalizationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaNormalizationTest extends NormalizationSuite { }
