package dev.nabla.cuda.testkit;

import dev.nabla.testkit.CreationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaCreationTest extends CreationSuite { }
