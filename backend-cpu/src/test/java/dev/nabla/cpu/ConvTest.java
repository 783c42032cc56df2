package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The conv2d fast paths against naive loops accumulating in double. */
class ConvTest {
    /** Pools on, so that padded and dilated sources are built in recycled (dirty) arrays. */
    static final CpuBackend SIMD = new CpuBackend(Kernels.simdOrNull(), 64L << 20);
    static final CpuBackend SCALAR = new CpuBackend(Kernels.scalar(), 64L << 20);
    static final int THREADS = CpuBackend.threads();

    @AfterAll
    static void restoreThreads() {
        CpuBackend.setThreads(THREADS);
    }

    /** n, c, h, w, o, groups, kh, kw, sh, sw, ph, pw, dh, dw. */
    static final int[][] CASES = {
        {1, 1, 5, 5, 1, 1, 3, 3, 1, 1, 0, 0, 1, 1},
        {2, 3, 7, 6, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {3, 4, 9, 11, 6, 2, 3, 2, 1, 1, 1, 0, 1, 1},
        {2, 6, 10, 9, 6, 3, 3, 3, 2, 2, 1, 1, 1, 1},
        {2, 2, 12, 13, 5, 1, 3, 3, 1, 2, 2, 1, 2, 1},
        {1, 3, 8, 8, 7, 1, 1, 1, 1, 1, 0, 0, 1, 1},
        {2, 5, 9, 7, 3, 1, 2, 4, 3, 2, 0, 3, 1, 2},
        {1, 2, 6, 6, 2, 1, 3, 3, 1, 1, 4, 3, 1, 1},
        {2, 4, 5, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1},
        {3, 1, 28, 28, 9, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {5, 32, 14, 14, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {2, 8, 20, 17, 12, 2, 5, 3, 2, 1, 2, 1, 1, 1},
        {1, 3, 40, 33, 10, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {17, 3, 6, 6, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1},
        {2, 3, 4, 4, 2, 1, 5, 5, 1, 1, 0, 0, 1, 1},
        {2, 4, 11, 10, 16, 1, 3, 3, 2, 2, 1, 1, 1, 1},
        {2, 6, 13, 12, 16, 2, 3, 2, 2, 3, 1, 2, 2, 1},
        {1, 3, 9, 9, 8, 1, 2, 2, 3, 3, 0, 0, 1, 1},
        {2, 2, 7, 7, 9, 1, 3, 3, 1, 1, 3, 2, 1, 1},
        {2, 2, 11, 10, 5, 1, 3, 3, 1, 1, 2, 2, 2, 2},
        {2, 1, 9, 20, 6, 1, 5, 5, 1, 1, 2, 2, 1, 1},
        {2, 2, 6, 37, 16, 2, 3, 3, 1, 1, 1, 1, 1, 1},
        {1, 1, 8, 20, 12, 1, 3, 3, 1, 1, 2, 2, 2, 2},
    };

    static Conv2dGeometry geometry(int[] t) {
        return new Conv2dGeometry(t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13]);
    }

    /** A contiguous operand at offset 3 inside its buffer. */
    static Operand tensor(CpuBackend be, float[] data, int... shape) {
        float[] a = new float[data.length + 3];
        Arrays.fill(a, 0, 3, Float.NaN);
        System.arraycopy(data, 0, a, 3, data.length);
        Layout l = Layout.contiguous(shape);
        return new Operand(be.fromArray(a), new Layout(l.shape(), l.strides(), 3));
    }

    static Operand output(CpuBackend be, int... shape) {
        Layout l = Layout.contiguous(shape);
        float[] a = new float[l.numel() + 3];
        Arrays.fill(a, Float.NaN);
        return new Operand(be.fromArray(a), new Layout(l.shape(), l.strides(), 3));
    }

    static float[] values(Operand o) {
        float[] a = (float[]) TestUtil.array(o);
        return Arrays.copyOfRange(a, o.layout().offset(), o.layout().offset() + o.numel());
    }

    /** Dirties the pool of {@code be} with NaN-filled arrays of many sizes. */
    static void poison(CpuBackend be) {
        for (int n = 1; n < 1 << 20; n = n * 2 + 1) {
            float[] a = new float[n];
            Arrays.fill(a, Float.NaN);
            be.release(be.fromArray(a));
        }
    }

    record Problem(int[] t, float[] x, float[] w, float[] gy, int oh, int ow) {
        int n() { return t[0]; }
        int c() { return t[1]; }
        int h() { return t[2]; }
        int wd() { return t[3]; }
        int o() { return t[4]; }
        int groups() { return t[5]; }
        int cg() { return t[1] / t[5]; }
    }

    static Problem problem(int[] t, Random r) {
        Conv2dGeometry g = geometry(t);
        int oh = g.outHeight(t[2]), ow = g.outWidth(t[3]);
        return new Problem(t, TestUtil.randomFloats(r, t[0] * t[1] * t[2] * t[3], -1, 1),
                TestUtil.randomFloats(r, t[4] * (t[1] / t[5]) * t[6] * t[7], -1, 1),
                TestUtil.randomFloats(r, t[0] * t[4] * oh * ow, -1, 1), oh, ow);
    }

    /** Calls {@code visit(xIndex, wIndex, yIndex)} for every product term of the convolution. */
    interface Visitor {
        void term(int xi, int wi, int yi);
    }

    static void forEachTerm(Problem p, Visitor v) {
        int[] t = p.t();
        int kh = t[6], kw = t[7], sh = t[8], sw = t[9], ph = t[10], pw = t[11], dh = t[12], dw = t[13];
        int og = p.o() / p.groups();
        for (int n = 0; n < p.n(); n++) {
            for (int o = 0; o < p.o(); o++) {
                int gi = o / og;
                for (int y = 0; y < p.oh(); y++) {
                    for (int x = 0; x < p.ow(); x++) {
                        int yi = ((n * p.o() + o) * p.oh() + y) * p.ow() + x;
                        for (int ci = 0; ci < p.cg(); ci++) {
                            int c = gi * p.cg() + ci;
                            for (int i = 0; i < kh; i++) {
                                int iy = y * sh - ph + i * dh;
                                if (iy < 0 || iy >= p.h()) {
                                    continue;
                                }
                                for (int j = 0; j < kw; j++) {
                                    int ix = x * sw - pw + j * dw;
                                    if (ix < 0 || ix >= p.wd()) {
                                        continue;
                                    }
                                    v.term(((n * p.c() + c) * p.h() + iy) * p.wd() + ix, ((o * p.cg() + ci) * kh + i) * kw + j, yi);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static void compare(double[] ref, double[] mag, float[] got, String what) {
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(got[i] - ref[i]) <= 2e-6 * mag[i] + 1e-6)) {
                fail(what + " at " + i + ": expected " + ref[i] + ", found " + got[i]);
            }
        }
    }

    static float[] forward(CpuBackend be, Problem p) {
        return forward(be, p, null);
    }

    static float[] forward(CpuBackend be, Problem p, float[] bias) {
        Operand x = tensor(be, p.x(), p.n(), p.c(), p.h(), p.wd());
        Operand w = tensor(be, p.w(), p.o(), p.cg(), p.t()[6], p.t()[7]);
        Operand b = bias == null ? null : tensor(be, bias, p.o());
        Operand y = output(be, p.n(), p.o(), p.oh(), p.ow());
        assertTrue(be.conv2d(x, w, b, geometry(p.t()), p.groups(), FusedActivation.NONE, y), () -> "conv2d declined " + Arrays.toString(p.t()) + " " + x + " " + w + " " + y);
        return values(y);
    }

    static float[] backwardData(CpuBackend be, Problem p) {
        Operand gy = tensor(be, p.gy(), p.n(), p.o(), p.oh(), p.ow());
        Operand w = tensor(be, p.w(), p.o(), p.cg(), p.t()[6], p.t()[7]);
        Operand gx = output(be, p.n(), p.c(), p.h(), p.wd());
        assertTrue(be.conv2dBackwardData(gy, w, geometry(p.t()), p.groups(), gx));
        return values(gx);
    }

    static float[] backwardFilter(CpuBackend be, Problem p) {
        Operand x = tensor(be, p.x(), p.n(), p.c(), p.h(), p.wd());
        Operand gy = tensor(be, p.gy(), p.n(), p.o(), p.oh(), p.ow());
        Operand gw = output(be, p.o(), p.cg(), p.t()[6], p.t()[7]);
        assertTrue(be.conv2dBackwardFilter(x, gy, geometry(p.t()), p.groups(), gw));
        return values(gw);
    }

    @Test
    void allThreePassesMatchNaiveLoops() {
        Random r = new Random(7);
        poison(SIMD);
        poison(SCALAR);
        for (int[] t : CASES) {
            Problem p = problem(t, r);
            double[] y = new double[p.gy().length], ym = new double[y.length];
            double[] gx = new double[p.x().length], gxm = new double[gx.length];
            double[] gw = new double[p.w().length], gwm = new double[gw.length];
            forEachTerm(p, (xi, wi, yi) -> {
                double a = (double) p.x()[xi] * p.w()[wi];
                y[yi] += a;
                ym[yi] += Math.abs(a);
                double b = (double) p.gy()[yi] * p.w()[wi];
                gx[xi] += b;
                gxm[xi] += Math.abs(b);
                double c = (double) p.gy()[yi] * p.x()[xi];
                gw[wi] += c;
                gwm[wi] += Math.abs(c);
            });
            String name = Arrays.toString(t);
            for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
                if (be.kernels() == null) {
                    continue;
                }
                compare(y, ym, forward(be, p), "forward " + name + " " + be);
                compare(gx, gxm, backwardData(be, p), "backward data " + name + " " + be);
                compare(gw, gwm, backwardFilter(be, p), "backward filter " + name + " " + be);
            }
        }
    }

    @Test
    void filterAndBiasPassGivesTheSameFilterAndTheChannelSumsOfGradOut() {
        Random r = new Random(17);
        for (int[] t : CASES) {
            Problem p = problem(t, r);
            double[] bias = new double[p.o()], biasMagnitude = new double[p.o()];
            int plane = p.oh() * p.ow();
            for (int i = 0; i < p.gy().length; i++) {
                int m = (i / plane) % p.o();
                bias[m] += p.gy()[i];
                biasMagnitude[m] += Math.abs(p.gy()[i]);
            }
            String name = Arrays.toString(t);
            for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
                Operand x = tensor(be, p.x(), p.n(), p.c(), p.h(), p.wd());
                Operand gy = tensor(be, p.gy(), p.n(), p.o(), p.oh(), p.ow());
                Operand gw = output(be, p.o(), p.cg(), p.t()[6], p.t()[7]);
                Operand gb = output(be, p.o());
                assertTrue(be.conv2dBackwardFilterAndBias(x, gy, geometry(p.t()), p.groups(), gw, gb), name);
                assertArrayEquals(backwardFilter(be, p), values(gw), "filter " + name + " " + be);
                compare(bias, biasMagnitude, values(gb), "bias " + name + " " + be);
            }
        }
    }

    @Test
    void biasIsAddedToEveryOutputChannel() {
        Random r = new Random(13);
        for (int[] t : CASES) {
            Problem p = problem(t, r);
            float[] bias = new float[p.o()];
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) r.nextGaussian();
            }
            double[] y = new double[p.gy().length], ym = new double[y.length];
            int plane = p.oh() * p.ow();
            for (int i = 0; i < y.length; i++) {
                y[i] = bias[i / plane % p.o()];
                ym[i] = Math.abs(y[i]);
            }
            forEachTerm(p, (xi, wi, yi) -> {
                double a = (double) p.x()[xi] * p.w()[wi];
                y[yi] += a;
                ym[yi] += Math.abs(a);
            });
            String name = Arrays.toString(t);
            for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
                if (be.kernels() != null) {
                    compare(y, ym, forward(be, p, bias), "forward with bias " + name + " " + be);
                }
            }
            if (Kernels.simdOrNull() != null) {
                assertArrayEquals(forward(SCALAR, p, bias), forward(SIMD, p, bias), "forward with bias " + name);
            }
        }
    }

    @Test
    void withNoInputChannelsTheFusedFilterPassLeavesTheBiasGradientToCore() {
        for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
            Operand x = tensor(be, new float[0], 2, 0, 4, 4);
            Operand gy = tensor(be, new float[24], 2, 3, 2, 2);
            Operand gw = output(be, 3, 0, 3, 3);
            Operand gb = output(be, 3);
            // an empty filter: no pass over gradOut to sum the bias in, so core must sum it
            assertFalse(be.conv2dBackwardFilterAndBias(x, gy, Conv2dGeometry.of(3, 1, 0, 1), 1, gw, gb), be.toString());
            assertTrue(be.conv2dBackwardFilter(x, gy, Conv2dGeometry.of(3, 1, 0, 1), 1, gw), be.toString());
        }
    }

    @Test
    void withNoInputChannelsTheOutputIsTheBias() {
        for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
            if (be.kernels() == null) {
                continue;
            }
            Operand x = tensor(be, new float[0], 2, 0, 4, 4);
            Operand w = tensor(be, new float[0], 3, 0, 3, 3);
            Operand b = tensor(be, new float[] {0.5f, -1f, 2f}, 3);
            Operand y = output(be, 2, 3, 2, 2);
            assertTrue(be.conv2d(x, w, b, Conv2dGeometry.of(3, 1, 0, 1), 1, FusedActivation.NONE, y));
            float[] expected = new float[24];
            for (int i = 0; i < 24; i++) {
                expected[i] = new float[] {0.5f, -1f, 2f}[i / 4 % 3];
            }
            assertArrayEquals(expected, values(y), be.toString());
        }
    }

    /**
     * The direct forward of few-tap layers (8 or more filters) computes the GEMM path's FMA chains: the same layer
     * with its first 7 filters only (too few for the direct pass) gives those channels bit for bit.
     */
    @Test
    void directForwardMatchesTheGemmPathBitwise() {
        Random r = new Random(17);
        int[][] layers = {{3, 1, 28, 28, 3, 1, 1}, {2, 3, 19, 40, 3, 1, 1}, {2, 1, 12, 33, 5, 2, 1}, {1, 2, 10, 18, 3, 2, 2}};
        for (int[] l : layers) {
            int n = l[0], c = l[1], h = l[2], w = l[3], k = l[4], pad = l[5], dil = l[6];
            Conv2dGeometry g = new Conv2dGeometry(k, k, 1, 1, pad, pad, dil, dil);
            float[] x = TestUtil.randomFloats(r, n * c * h * w, -1, 1);
            float[] wt = TestUtil.randomFloats(r, 9 * c * k * k, -1, 1);
            float[] b = TestUtil.randomFloats(r, 9, -1, 1);
            int oh = g.outHeight(h), ow = g.outWidth(w), p = oh * ow;
            for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
                if (be.kernels() == null) {
                    continue;
                }
                float[][] outs = new float[2][];
                for (int filters : new int[] {9, 7}) {
                    Operand y = output(be, n, filters, oh, ow);
                    assertTrue(be.conv2d(tensor(be, x, n, c, h, w), tensor(be, Arrays.copyOf(wt, filters * c * k * k),
                            filters, c, k, k), tensor(be, Arrays.copyOf(b, filters), filters), g, 1, FusedActivation.NONE, y));
                    outs[filters == 9 ? 0 : 1] = values(y);
                }
                for (int img = 0; img < n; img++) {
                    for (int m = 0; m < 7; m++) {
                        assertArrayEquals(Arrays.copyOfRange(outs[1], (img * 7 + m) * p, (img * 7 + m + 1) * p),
                                Arrays.copyOfRange(outs[0], (img * 9 + m) * p, (img * 9 + m + 1) * p),
                                be + " " + Arrays.toString(l) + " image " + img + " channel " + m);
                    }
                }
            }
        }
    }

    /** The same FMA chains in the same order: bitwise equal. */
    @Test
    void simdAndScalarAgreeBitwise() {
        if (Kernels.simdOrNull() == null) {
            return;
        }
        Random r = new Random(11);
        for (int[] t : CASES) {
            Problem p = problem(t, r);
            String name = Arrays.toString(t);
            assertArrayEquals(forward(SCALAR, p), forward(SIMD, p), "forward " + name);
            assertArrayEquals(backwardData(SCALAR, p), backwardData(SIMD, p), "backward data " + name);
            if (!filterByDots(t)) { // the dot-product pass keeps per-lane sums (checked against naive loops)
                assertArrayEquals(backwardFilter(SCALAR, p), backwardFilter(SIMD, p), "backward filter " + name);
            }
        }
    }

    /** Whether the backward filter of this case runs as dot products (see {@link Conv#DOTS_MAX_TAPS}). */
    static boolean filterByDots(int[] t) {
        return t[8] == 1 && t[9] == 1 && t[1] / t[5] * t[6] * t[7] <= Conv.DOTS_MAX_TAPS;
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Random r = new Random(5);
        int[][] cases = {{64, 16, 14, 14, 24, 1, 3, 3, 1, 1, 1, 1, 1, 1}, {40, 4, 28, 28, 8, 2, 3, 3, 2, 2, 1, 1, 1, 1},
            {40, 8, 20, 20, 16, 1, 3, 3, 2, 2, 1, 1, 1, 1},
            {33, 1, 28, 28, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1}};
        CpuBackend be = new CpuBackend(Kernels.floats(), 0);
        for (int[] t : cases) {
            Problem p = problem(t, r);
            float[][] ref = null;
            for (int threads : new int[] {1, 2, 3}) {
                CpuBackend.setThreads(threads);
                float[][] got = {forward(be, p), backwardData(be, p), backwardFilter(be, p)};
                if (ref == null) {
                    ref = got;
                } else {
                    for (int i = 0; i < 3; i++) {
                        assertArrayEquals(ref[i], got[i], "pass " + i + " of " + Arrays.toString(t) + " with " + threads + " threads");
                    }
                }
            }
        }
        CpuBackend.setThreads(THREADS);
    }

    @Test
    void fusedReluEqualsReluOfTheConvolutionBitwiseOnEveryPath() {
        Random r = new Random(31);
        for (CpuBackend be : new CpuBackend[]{SIMD, SCALAR}) {
            poison(be);
            for (int[] t : CASES) {
                Problem p = problem(t, r);
                float[] bias = TestUtil.randomFloats(r, t[4], -1, 1);
                float[] plain = forward(be, p, bias);
                Operand x = tensor(be, p.x(), p.n(), p.c(), p.h(), p.wd());
                Operand w = tensor(be, p.w(), p.o(), p.cg(), t[6], t[7]);
                Operand y = output(be, p.n(), p.o(), p.oh(), p.ow());
                assertTrue(be.conv2d(x, w, tensor(be, bias, p.o()), geometry(t), p.groups(), FusedActivation.RELU, y));
                float[] fused = values(y);
                for (int i = 0; i < plain.length; i++) {
                    float expected = Math.max(plain[i], 0f);
                    if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(fused[i])) {
                        fail(Arrays.toString(t) + " " + be.kernels().description() + " at " + i + ": expected "
                                + expected + ", found " + fused[i]);
                    }
                }
            }
        }
    }

    @Test
    void otherDtypesAreLeftToCore() {
        CpuBackend be = SCALAR;
        Operand x = TestUtil.contiguous(be, new double[16], 1, 1, 4, 4);
        Operand w = TestUtil.contiguous(be, new double[9], 1, 1, 3, 3);
        Operand y = TestUtil.empty(be, DType.FLOAT64, 1, 1, 2, 2);
        Conv2dGeometry g = Conv2dGeometry.of(3, 1, 0, 1);
        assertFalse(be.conv2d(x, w, null, g, 1, FusedActivation.NONE, y));
        assertFalse(be.conv2dBackwardData(y, w, g, 1, x));
        assertFalse(be.conv2dBackwardFilter(x, y, g, 1, w));
    }
}
