package dev.nabla.cuda.testkit;

import dev.nabla.testkit.IndexingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaIndexingTest extends IndexingSuite { }
