package dev.nabla.cuda.testkit;

import dev.nabla.testkit.DataFileSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaDataFileTest extends DataFileSuite { }
