package dev.nabla.strict;

import dev.nabla.testkit.TrainingSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictTrainingTest extends TrainingSuite { }
