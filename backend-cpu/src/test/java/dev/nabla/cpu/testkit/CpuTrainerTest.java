package dev.nabla.cpu.testkit;

import dev.nabla.testkit.TrainerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuTrainerTest extends TrainerSuite { }
