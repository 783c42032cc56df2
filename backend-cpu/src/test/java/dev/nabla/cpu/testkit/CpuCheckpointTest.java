package dev.nabla.cpu.testkit;

import dev.nabla.testkit.CheckpointSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cpu")
class CpuCheckpointTest extends CheckpointSuite { }
