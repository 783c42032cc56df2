package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.cuda.runtime.CudaCallException;
import dev.nabla.cuda.runtime.KernelArgs;
import dev.nabla.cuda.runtime.LayoutPacking;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FastPath;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Objects;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runtime through the backend's own entry points: transfers, strided reads, copies, fills, matmul (cuBLAS on a
 * GPU, matmul.cu without it), cuDNN convolution and pooling (where cuDNN loaded), a PTX kernel launch, asynchronous
 * errors and the timer. {@link CudaRuntimeGpuTest} runs it on a GPU, {@link EmuCudaRuntimeTest} on the kernels' CPU
 * emulation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CudaRuntimeTestBase {
    CudaBackend cuda;

    /** The backend under test; skips (an assumption) where it cannot run. */
    abstract CudaBackend openBackend();

    @BeforeAll
    void open() {
        cuda = openBackend();
        System.out.println("opened " + cuda);
    }

    @AfterAll
    void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    static Operand whole(Buffer b) {
        return new Operand(b, Layout.contiguous(b.capacity()));
    }

    @Test
    void everyDtypeRoundTripsIncludingArraysLargerThanTheStagingRing() {
        for (DType dtype : DType.values()) {
            Object a = switch (dtype) {
                case FLOAT32 -> new float[]{1.5f, -0f, Float.NaN, 3};
                case FLOAT64 -> new double[]{1.5, -0.0, Double.NaN, 1e300};
                case INT64 -> new long[]{0, -1, Long.MIN_VALUE, Long.MAX_VALUE};
                case INT32 -> new int[]{0, -1, Integer.MIN_VALUE, 7};
                case BOOL -> new boolean[]{true, false, true, true};
                case INT8 -> new byte[]{0, -1, -128, 127};
                case BFLOAT16, FLOAT16 -> new short[]{0, -1, (short) 0x8000, 0x3c00};
            };
            Buffer b = cuda.fromArray(a, dtype);
            assertTrue(Objects.deepEquals(a, cuda.toArray(whole(b))), dtype.toString());
            cuda.release(b);
        }
        float[] big = new float[5_000_000]; // 20 MB: several chunks of the 4 MiB slots
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.25f;
        }
        Buffer b = cuda.fromArray(big);
        big[0] = -1; // the caller may reuse its array once fromArray returns
        float[] back = (float[]) cuda.toArray(whole(b));
        assertEquals(0f, back[0]);
        assertEquals(4_999_999 * 0.25f, back[4_999_999]);
        cuda.release(b);
        cuda.synchronize();
    }

    @Test
    void stridedReadsCopiesAndFills() {
        int[] values = new int[12];
        for (int i = 0; i < 12; i++) {
            values[i] = i;
        }
        Buffer b = cuda.fromArray(values);
        Layout transposed = new Layout(new int[]{4, 3}, new int[]{1, 4}, 0);
        assertArrayEquals(new int[]{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, (int[]) cuda.toArray(new Operand(b,
                transposed)));
        Buffer c = cuda.allocate(DType.INT32, 12);
        cuda.fill(whole(c), -7);
        cuda.copy(new Operand(b, new Layout(new int[]{4}, new int[]{1}, 2)),
                new Operand(c, new Layout(new int[]{4}, new int[]{1}, 8)));
        assertArrayEquals(new int[]{-7, -7, -7, -7, -7, -7, -7, -7, 2, 3, 4, 5}, (int[]) cuda.toArray(whole(c)));
        Buffer d = cuda.allocate(DType.FLOAT64, 3);
        cuda.fill(whole(d), 0.0);
        assertArrayEquals(new double[3], (double[]) cuda.toArray(whole(d)));
        cuda.fill(whole(d), 1.5); // no memset pattern: the fill kernel
        assertArrayEquals(new double[]{1.5, 1.5, 1.5}, (double[]) cuda.toArray(whole(d)));
        cuda.release(b);
        cuda.release(c);
        cuda.release(d);
    }

    @Test
    void aPtxKernelLaunchesWithPackedLayoutArguments() {
        Buffer b = cuda.fromArray(new float[]{0, 0, 0, 0, 0, 0});
        CudaBuffer cb = (CudaBuffer) b;
        // every other element of the 2x3 buffer's columns 0 and 2: shape [2, 2], strides [3, 2]
        Layout view = new Layout(new int[]{2, 2}, new int[]{3, 2}, 0);
        KernelArgs args = new KernelArgs().pointer(cb::pointer).layout(LayoutPacking.coalesce(view)[0]).int64(4)
                .float32(2.5f);
        CudaDevice device = cuda.cudaDevice();
        device.launch("nabla_fill_f32", device.grid(4), args);
        assertArrayEquals(new float[]{2.5f, 0, 2.5f, 2.5f, 0, 2.5f}, (float[]) cuda.toArray(whole(b)));
        cuda.release(b);
    }

    @Test
    void anAsyncErrorSurfacesAtTheNextSynchronizingCallOnce() {
        cuda.cudaDevice().launch("nabla_no_such_kernel", cuda.cudaDevice().grid(1), new KernelArgs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, cuda::synchronize);
        assertTrue(e.getMessage().contains("nabla_no_such_kernel"), e.getMessage());
        cuda.synchronize();
        // a bad cuBLAS call reports its status by name
        CudaCallException bad = assertThrows(CudaCallException.class, () -> cuda.cudaDevice().executor().call(() -> {
            dev.nabla.cuda.runtime.CudaErrors.checkCublas(7, "cublasTest");
            return null;
        }));
        assertTrue(bad.getMessage().startsWith("cublasTest failed: CUBLAS_STATUS_INVALID_VALUE (7)"), bad.getMessage());
    }

    private static double[] randoms(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(-3, 4) * 0.5;
        }
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    @Test
    void matmulThroughCublasMatchesTheDefinitionForStridedOperands() {
        SplittableRandom r = new SplittableRandom(1);
        int batch = 3, m = 5, k = 7, n = 4;
        double[] a = randoms(r, batch * k * m); // stored transposed: [B, K, M]
        double[] w = randoms(r, k * n);         // one [K, N] for every batch (batch stride 0)
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            Buffer ba = dtype == DType.FLOAT32 ? cuda.fromArray(floats(a)) : cuda.fromArray(a);
            Buffer bw = dtype == DType.FLOAT32 ? cuda.fromArray(floats(w)) : cuda.fromArray(w);
            Buffer out = cuda.allocate(dtype, batch * m * n);
            cuda.matmul(new Operand(ba, new Layout(new int[]{batch, m, k}, new int[]{k * m, 1, m}, 0)),
                    new Operand(bw, new Layout(new int[]{batch, k, n}, new int[]{0, n, 1}, 0)),
                    new Operand(out, Layout.contiguous(batch, m, n)));
            Object got = cuda.toArray(whole(out));
            for (int q = 0; q < batch; q++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int t = 0; t < k; t++) {
                            s += a[q * k * m + t * m + i] * w[t * n + j];
                        }
                        int at = (q * m + i) * n + j;
                        double g = dtype == DType.FLOAT32 ? ((float[]) got)[at] : ((double[]) got)[at];
                        assertEquals(s, g, 0, dtype + " [" + q + "," + i + "," + j + "]");
                    }
                }
            }
            cuda.release(ba);
            cuda.release(bw);
            cuda.release(out);
        }
    }

    @Test
    void convolutionAndPoolingThroughCudnn() {
        assumeTrue(cuda.supports(FastPath.CONV2D, DType.FLOAT64), "cuDNN did not load: " + cuda);
        SplittableRandom r = new SplittableRandom(2);
        int nb = 2, c = 4, h = 6, wd = 5, o = 6, groups = 2;
        Conv2dGeometry g = new Conv2dGeometry(3, 3, 1, 2, 1, 1, 1, 1);
        int oh = g.outHeight(h), ow = g.outWidth(wd);
        double[] x = randoms(r, nb * c * h * wd);
        double[] w = randoms(r, o * (c / groups) * 9);
        double[] bias = randoms(r, o);
        Buffer bx = cuda.fromArray(x), bw = cuda.fromArray(w), bb = cuda.fromArray(bias);
        Buffer by = cuda.allocate(DType.FLOAT64, nb * o * oh * ow);
        Operand ox = new Operand(bx, Layout.contiguous(nb, c, h, wd));
        Operand ow4 = new Operand(bw, Layout.contiguous(o, c / groups, 3, 3));
        Operand oy = new Operand(by, Layout.contiguous(nb, o, oh, ow));
        assertTrue(cuda.conv2d(ox, ow4, new Operand(bb, Layout.contiguous(o)), g, groups, FusedActivation.RELU, oy));
        double[] y = (double[]) cuda.toArray(oy);
        double[] ref = new double[y.length];
        int cg = c / groups, og = o / groups;
        for (int ni = 0; ni < nb; ni++) {
            for (int oi = 0; oi < o; oi++) {
                int grp = oi / og;
                for (int yi = 0; yi < oh; yi++) {
                    for (int xi = 0; xi < ow; xi++) {
                        double s = bias[oi];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = yi * g.strideH() - g.padH() + ky;
                                    int ix = xi * g.strideW() - g.padW() + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        s += x[((ni * c + grp * cg + ci) * h + iy) * wd + ix]
                                                * w[((oi * cg + ci) * 3 + ky) * 3 + kx];
                                    }
                                }
                            }
                        }
                        ref[((ni * o + oi) * oh + yi) * ow + xi] = Math.max(s, 0);
                    }
                }
            }
        }
        assertArrayEquals(ref, y, 1e-12);

        // adjoint identities: <dy, conv(x, w)> = <convBackwardData(dy), x> = <convBackwardFilter(x, dy), w>
        double[] dy = randoms(r, y.length);
        Buffer bdy = cuda.fromArray(dy);
        Operand ody = new Operand(bdy, oy.layout());
        assertTrue(cuda.conv2d(ox, ow4, null, g, groups, FusedActivation.NONE, oy));
        double[] plain = (double[]) cuda.toArray(oy);
        Buffer bdx = cuda.allocate(DType.FLOAT64, x.length);
        Buffer bdw = cuda.allocate(DType.FLOAT64, w.length);
        Buffer bdb = cuda.allocate(DType.FLOAT64, o);
        assertTrue(cuda.conv2dBackwardData(ody, ow4, g, groups, new Operand(bdx, ox.layout())));
        assertTrue(cuda.conv2dBackwardFilterAndBias(ox, ody, g, groups, new Operand(bdw, ow4.layout()),
                new Operand(bdb, Layout.contiguous(o))));
        double lhs = dot(dy, plain);
        assertEquals(lhs, dot((double[]) cuda.toArray(whole(bdx)), x), 1e-9);
        assertEquals(lhs, dot((double[]) cuda.toArray(whole(bdw)), w), 1e-9);
        double[] db = (double[]) cuda.toArray(whole(bdb));
        for (int oi = 0; oi < o; oi++) {
            double s = 0;
            for (int ni = 0; ni < nb; ni++) {
                for (int p = 0; p < oh * ow; p++) {
                    s += dy[(ni * o + oi) * oh * ow + p];
                }
            }
            assertEquals(s, db[oi], 1e-12);
        }

        // max pooling 2x2 stride 2, padding 0 over x
        Conv2dGeometry pg = Conv2dGeometry.of(2, 2, 0, 1);
        int ph = pg.outHeight(h), pw = pg.outWidth(wd);
        Buffer bp = cuda.allocate(DType.FLOAT64, nb * c * ph * pw);
        Operand op = new Operand(bp, Layout.contiguous(nb, c, ph, pw));
        assertTrue(cuda.maxPool2d(ox, pg, op));
        double[] pooled = (double[]) cuda.toArray(op);
        for (int q = 0; q < nb * c; q++) {
            for (int yi = 0; yi < ph; yi++) {
                for (int xi = 0; xi < pw; xi++) {
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 2; kx++) {
                            mx = Math.max(mx, x[(q * h + 2 * yi + ky) * wd + 2 * xi + kx]);
                        }
                    }
                    assertEquals(mx, pooled[(q * ph + yi) * pw + xi], 0);
                }
            }
        }
        for (Buffer b : new Buffer[]{bx, bw, bb, by, bdy, bdx, bdw, bdb, bp}) {
            cuda.release(b);
        }
        cuda.synchronize();
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void theTimerMeasuresQueuedWorkAndReleasesReturnToTheCache() {
        assumeTrue(cuda.cudaDevice().hasCublas(), "a GPU timing (2048^3 sgemm)");
        int n = 2048;
        Buffer a = cuda.allocate(DType.FLOAT32, n * n);
        Buffer b = cuda.allocate(DType.FLOAT32, n * n);
        Buffer c = cuda.allocate(DType.FLOAT32, n * n);
        cuda.fill(whole(a), 1);
        cuda.fill(whole(b), 1);
        Operand oa = new Operand(a, Layout.contiguous(1, n, n));
        Operand ob = new Operand(b, Layout.contiguous(1, n, n));
        Operand oc = new Operand(c, Layout.contiguous(1, n, n));
        cuda.matmul(oa, ob, oc);
        float ms = cuda.timeMillis(() -> {
            for (int i = 0; i < 10; i++) {
                cuda.matmul(oa, ob, oc);
            }
        });
        double tflops = 10 * 2.0 * n * n * n / (ms * 1e-3) / 1e12;
        System.out.printf("sgemm %d: %.3f ms for 10, %.1f TFLOP/s%n", n, ms, tflops);
        assertTrue(ms > 0);
        assertEquals((float) n, ((float[]) cuda.toArray(new Operand(c, Layout.contiguous(1))))[0]);
        long before = cuda.memoryStatistics().cached();
        cuda.release(a);
        cuda.release(b);
        cuda.release(c);
        cuda.synchronize();
        assertTrue(cuda.memoryStatistics().cached() >= before + 3L * n * n * 4, cuda.memoryStatistics().toString());
    }
}
