package dev.nabla.cuda.testkit;

import dev.nabla.testkit.CreationSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaCreationTest extends CreationSuite { }
