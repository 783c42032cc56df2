package dev.nabla.cuda.testkit;

import dev.nabla.testkit.GradientSuite;
import dev.nabla.testkit.TestDevice;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

@TestDevice("cudaemu")
@EnabledIfSystemProperty(named = "nabla.cudaemu.slow", matches = "true",
        disabledReason = "minutes on the emulated CUDA backend; run with -Dnabla.cudaemu.slow=true")
class EmuCudaGradientTest extends GradientSuite { }
