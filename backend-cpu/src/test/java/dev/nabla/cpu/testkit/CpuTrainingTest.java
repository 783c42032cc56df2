package dev.nabla.cpu.testkit;

import dev.nabla.testkit.TrainingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuTrainingTest extends TrainingSuite { }
