package dev.nabla.cuda.testkit;

import dev.nabla.testkit.OptimizerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaOptimizerTest extends OptimizerSuite { }
