package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ModuleSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaModuleTest extends ModuleSuite { }
