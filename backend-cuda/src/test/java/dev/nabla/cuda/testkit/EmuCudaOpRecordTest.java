package dev.nabla.cuda.testkit;

import dev.nabla.testkit.OpRecordSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cudaemu")
class EmuCudaOpRecordTest extends OpRecordSuite { }
