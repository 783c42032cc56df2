package dev.nabla.strict;

import dev.nabla.testkit.TrainerSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictTrainerTest extends TrainerSuite { }
