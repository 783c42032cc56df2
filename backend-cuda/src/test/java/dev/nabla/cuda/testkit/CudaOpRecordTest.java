package dev.nabla.cuda.testkit;

import dev.nabla.testkit.OpRecordSuite;
import dev.nabla.testkit.TestDevice;

@TestDevice("cuda")
class CudaOpRecordTest extends OpRecordSuite { }
