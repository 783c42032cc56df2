package dev.nabla.cuda.testkit;

import dev.nabla.testkit.SafeTensorsSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaSafeTensorsTest extends SafeTensorsSuite { }
