package dev.nabla.cuda.testkit;

import dev.nabla.testkit.OptimizerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaOptimizerTest extends OptimizerSuite { }
