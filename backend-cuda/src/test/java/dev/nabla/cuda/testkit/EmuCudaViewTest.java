package dev.nabla.cuda.testkit;

import dev.nabla.testkit.ViewSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaViewTest extends ViewSuite { }
