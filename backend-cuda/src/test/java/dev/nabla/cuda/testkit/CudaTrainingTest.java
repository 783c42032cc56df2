package dev.nabla.cuda.testkit;

import dev.nabla.testkit.TrainingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaTrainingTest extends TrainingSuite { }
