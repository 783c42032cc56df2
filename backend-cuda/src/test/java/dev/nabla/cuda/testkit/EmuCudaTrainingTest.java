package dev.nabla.cuda.testkit;

import dev.nabla.testkit.TrainingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaTrainingTest extends TrainingSuite { }
