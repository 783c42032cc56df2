package dev.nabla.strict;

import dev.nabla.testkit.ModuleSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("strict")
class StrictModuleTest extends ModuleSuite { }
