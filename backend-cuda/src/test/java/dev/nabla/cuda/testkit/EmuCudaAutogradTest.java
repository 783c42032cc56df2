package dev.nabla.cuda.testkit;

import dev.nabla.testkit.AutogradSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaAutogradTest extends AutogradSuite { }
