package dev.nabla.cuda.testkit;

import dev.nabla.testkit.RecurrentSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaRecurrentTest extends RecurrentSuite { }
