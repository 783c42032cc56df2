package dev.nabla.cuda.testkit;

import dev.nabla.testkit.RandomSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaRandomTest extends RandomSuite { }
