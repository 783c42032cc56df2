package dev.nabla.cuda.testkit;

import dev.nabla.testkit.LayerGradientSuite;
import dev.nabla.testkit.TestDevice;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

@TestDevice("cudaemu")
@EnabledIfSystemProperty(named = "nabla.cudaemu.slow", matches = "true",
        disabledReason = "minutes on the emulated CUDA backend; run with -Dnabla.cudaemu.slow=true")
class EmuCudaLayerGradientTest extends LayerGradientSuite { }
