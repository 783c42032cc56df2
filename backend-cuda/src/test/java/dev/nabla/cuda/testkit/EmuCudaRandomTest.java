package dev.nabla.cuda.testkit;

import dev.nabla.testkit.RandomSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
@SkipOnEmulation("matchesTheReference: assumes StrictMath's log/sin/cos for NORMAL in FLOAT64: the tolerance, 8 ulp of"
        + " the result, is below one ulp of the standard normal draw when the mean cancels it (normal(0.5, 2) gives"
        + " 0.0252 = 0.5 + 2 * -0.2374, and a one-ulp difference in -0.2374 from the C library's log/cos fails it);"
        + " the CUDA device's libm differs from StrictMath as g++'s does")
class EmuCudaRandomTest extends RandomSuite { }
