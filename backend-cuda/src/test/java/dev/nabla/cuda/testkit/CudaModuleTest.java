package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ModuleSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaModuleTest extends ModuleSuite { }
