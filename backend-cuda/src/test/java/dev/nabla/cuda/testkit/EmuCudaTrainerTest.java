package dev.nabla.cuda.testkit;

import dev.nabla.testkit.TrainerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaTrainerTest extends TrainerSuite { }
