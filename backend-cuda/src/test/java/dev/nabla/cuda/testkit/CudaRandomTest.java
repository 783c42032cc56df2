package dev.nabla.cuda.testkit;

import dev.nabla.testkit.RandomSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaRandomTest extends RandomSuite { }
