package dev.nabla.cuda.testkit;

import dev.nabla.testkit.DataSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaDataTest extends DataSuite { }
