package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LossSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaLossTest extends LossSuite { }
