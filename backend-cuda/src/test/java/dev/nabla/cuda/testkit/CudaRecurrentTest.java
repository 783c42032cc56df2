package dev.nabla.cuda.testkit;

import dev.nabla.testkit.RecurrentSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaRecurrentTest extends RecurrentSuite { }
