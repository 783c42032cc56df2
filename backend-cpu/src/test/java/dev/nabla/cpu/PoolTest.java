package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Max pooling fast paths, with the scalar and the SIMD kernel sets, against a naive emulation of core's default
 * (pad with -inf, amax; argmax, scatter-add).
 */
class PoolTest {
    static final CpuBackend BE = new CpuBackend(Kernels.floats(), 0);
    /** Fills what a pass must overwrite, or must leave alone. */
    static final float GARBAGE = 12345f;

    static List<FloatKernels> kernelSets() {
        FloatKernels simd = Kernels.simdOrNull();
        assertNotNull(simd, "tests run with --add-modules jdk.incubator.vector, so SIMD kernels must load");
        return List.of(Kernels.scalar(), simd);
    }

    /** n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw. */
    static final int[][] CASES = {
        {2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 2, 7, 9, 2, 2, 2, 2, 0, 0, 1, 1},
        {2, 2, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1},
        {1, 3, 10, 11, 3, 2, 1, 1, 1, 0, 1, 1},
        {2, 1, 12, 12, 3, 3, 2, 3, 1, 1, 2, 2},
        {1, 2, 5, 6, 1, 1, 2, 2, 0, 0, 1, 1},
        {3, 4, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 1, 6, 6, 4, 4, 1, 1, 2, 2, 1, 1},
        {64, 32, 14, 14, 2, 2, 2, 2, 0, 0, 1, 1},
        // 2x2 shapes around the SIMD kernels' vector of 8 windows: tails, several vectors a row, narrow planes
        {1, 2, 9, 7, 2, 2, 2, 2, 0, 0, 1, 1},
        {2, 3, 5, 3, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 2, 3, 30, 2, 2, 2, 2, 0, 0, 1, 1},
        {2, 2, 6, 34, 2, 2, 2, 2, 0, 0, 1, 1},
        {1, 3, 4, 32, 2, 2, 2, 2, 0, 0, 1, 1},
        {3, 5, 2, 4, 2, 2, 2, 2, 0, 0, 1, 1},
        {2, 2, 3, 2, 2, 2, 2, 2, 0, 0, 1, 1},
    };

    static Conv2dGeometry geometry(int[] t) {
        return new Conv2dGeometry(t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]);
    }

    /** Values with many ties, some -inf and a few NaN, so that the tie and NaN rules are exercised. */
    static float[] data(Random r, int n, boolean specials) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(5) - 2;
            if (specials) {
                int s = r.nextInt(40);
                if (s == 0) {
                    a[i] = Float.NaN;
                } else if (s == 1) {
                    a[i] = Float.NEGATIVE_INFINITY;
                } else if (s == 2) {
                    a[i] = -0.0f;
                }
            }
        }
        return a;
    }

    static float naiveMax(float[] x, int base, int h, int w, int r, int c, Conv2dGeometry g) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < g.kernelW(); j++) {
                int y = r * g.strideH() - g.padH() + i * g.dilationH();
                int xx = c * g.strideW() - g.padW() + j * g.dilationW();
                float v = y >= 0 && y < h && xx >= 0 && xx < w ? x[base + y * w + xx] : Float.NEGATIVE_INFINITY;
                m = Math.max(m, v);
            }
        }
        return m;
    }

    /** Position of the window's argmax in the plane, or -1 for padding (argF32's rule). */
    static int naiveArg(float[] x, int base, int h, int w, int r, int c, Conv2dGeometry g) {
        int best = -1;
        float bv = 0;
        for (int k = 0; k < g.kernelArea(); k++) {
            int y = r * g.strideH() - g.padH() + (k / g.kernelW()) * g.dilationH();
            int xx = c * g.strideW() - g.padW() + (k % g.kernelW()) * g.dilationW();
            boolean in = y >= 0 && y < h && xx >= 0 && xx < w;
            float v = in ? x[base + y * w + xx] : Float.NEGATIVE_INFINITY;
            int pos = in ? y * w + xx : -1;
            if (k == 0) {
                best = pos;
                bv = v;
                if (v != v) {
                    return pos;
                }
            } else if (v > bv) {
                best = pos;
                bv = v;
            } else if (v != v) {
                return pos;
            }
        }
        return best;
    }

    @ParameterizedTest
    @MethodSource("kernelSets")
    void forwardAndBackwardMatchTheDefaultRules(FloatKernels kernels) {
        CpuBackend be = new CpuBackend(kernels, 0);
        Random r = new Random(3);
        for (int[] t : CASES) {
            for (boolean specials : new boolean[] {false, true}) {
                Conv2dGeometry g = geometry(t);
                int n = t[0], c = t[1], h = t[2], w = t[3];
                int oh = g.outHeight(h), ow = g.outWidth(w);
                float[] x = data(r, n * c * h * w, specials);
                float[] gy = TestUtil.randomFloats(r, n * c * oh * ow, -1, 1);
                float[] expY = new float[n * c * oh * ow];
                float[] expGx = new float[x.length];
                for (int pl = 0; pl < n * c; pl++) {
                    for (int rr = 0; rr < oh; rr++) {
                        for (int cc = 0; cc < ow; cc++) {
                            int o = (pl * oh + rr) * ow + cc;
                            expY[o] = naiveMax(x, pl * h * w, h, w, rr, cc, g);
                            int a = naiveArg(x, pl * h * w, h, w, rr, cc, g);
                            if (a >= 0) {
                                expGx[pl * h * w + a] += gy[o];
                            }
                        }
                    }
                }
                Operand xo = ConvTest.tensor(be, x, n, c, h, w);
                Operand yo = ConvTest.output(be, n, c, oh, ow);
                assertTrue(be.maxPool2d(xo, g, yo));
                String name = kernels.description() + " " + Arrays.toString(t) + (specials ? " with NaN/-inf" : "");
                assertArrayEquals(expY, ConvTest.values(yo), name);
                Operand go = ConvTest.tensor(be, gy, n, c, oh, ow);
                float[] garbage = new float[x.length];
                Arrays.fill(garbage, GARBAGE); // gradIn comes uninitialized: every element must be written
                Operand gx = ConvTest.tensor(be, garbage, n, c, h, w);
                assertTrue(be.maxPool2dBackward(go, xo, g, gx));
                assertArrayEquals(expGx, ConvTest.values(gx), "backward " + name);
                assertReluFusedBackward(be, x, gy, t, name);
            }
        }
    }

    /** maxPool2dReluBackward on relu(x) equals maxPool2dBackward on relu(x) followed by relu's gradient. */
    private static void assertReluFusedBackward(CpuBackend be, float[] x, float[] gy, int[] t, String name) {
        Conv2dGeometry g = geometry(t);
        int n = t[0], c = t[1], h = t[2], w = t[3];
        int oh = g.outHeight(h), ow = g.outWidth(w);
        float[] reluOut = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            reluOut[i] = x[i] > 0 || x[i] != x[i] ? x[i] : 0f; // NaN kept: it is a window's maximum, gradient 0
        }
        float[] expected = new float[x.length];
        for (int pl = 0; pl < n * c; pl++) {
            for (int rr = 0; rr < oh; rr++) {
                for (int cc = 0; cc < ow; cc++) {
                    int a = naiveArg(reluOut, pl * h * w, h, w, rr, cc, g);
                    if (a >= 0 && reluOut[pl * h * w + a] > 0) {
                        expected[pl * h * w + a] += gy[(pl * oh + rr) * ow + cc];
                    }
                }
            }
        }
        Operand ro = ConvTest.tensor(be, reluOut, n, c, h, w);
        Operand go = ConvTest.tensor(be, gy, n, c, oh, ow);
        float[] garbage = new float[x.length];
        Arrays.fill(garbage, GARBAGE);
        Operand gx = ConvTest.tensor(be, garbage, n, c, h, w);
        assertTrue(be.maxPool2dReluBackward(go, ro, g, gx));
        assertArrayEquals(expected, ConvTest.values(gx), "relu-fused backward " + name);
    }

    @Test
    void otherDtypesAreLeftToCore() {
        Operand x = TestUtil.contiguous(BE, new double[16], 1, 1, 4, 4);
        Operand y = TestUtil.empty(BE, DType.FLOAT64, 1, 1, 2, 2);
        assertFalse(BE.maxPool2d(x, Conv2dGeometry.of(2, 2, 0, 1), y));
        assertFalse(BE.maxPool2dBackward(y, x, Conv2dGeometry.of(2, 2, 0, 1), x));
        assertFalse(BE.maxPool2dReluBackward(y, x, Conv2dGeometry.of(2, 2, 0, 1), x));
    }

    /**
     * The 2x2 kernels read past a row's end and write past it into rows they write later; called on some planes
     * of a larger array (as each thread is), they must write those planes and nothing before or after them.
     */
    @ParameterizedTest
    @MethodSource("kernelSets")
    void twoByTwoKernelsWriteOnlyTheirPlanes(FloatKernels kernels) {
        Random r = new Random(11);
        int[][] sizes = {{28, 28}, {14, 14}, {7, 7}, {2, 2}, {3, 5}, {6, 34}, {4, 32}, {9, 1}};
        for (int[] size : sizes) {
            int h = size[0], w = size[1], oh = h / 2, ow = w / 2, planes = 4, first = 1, count = 2;
            float[] x = data(r, planes * h * w, true);
            float[] g = TestUtil.randomFloats(r, planes * oh * ow, -1, 1);
            float[] out = new float[planes * oh * ow];
            float[] gi = new float[planes * h * w];
            Arrays.fill(out, GARBAGE);
            Arrays.fill(gi, GARBAGE);
            kernels.maxPool2x2(x, first * h * w, h, w, out, first * oh * ow, count);
            kernels.maxPool2x2Backward(x, first * h * w, h, w, g, first * oh * ow, gi, first * h * w, count);
            Conv2dGeometry geometry = Conv2dGeometry.of(2, 2, 0, 1);
            String name = kernels.description() + " " + h + "x" + w;
            for (int pl = 0; pl < planes; pl++) {
                boolean mine = pl >= first && pl < first + count;
                float[] expGi = new float[h * w];
                for (int rr = 0; rr < oh; rr++) {
                    for (int cc = 0; cc < ow; cc++) {
                        int o = (pl * oh + rr) * ow + cc;
                        float expected = mine ? naiveMax(x, pl * h * w, h, w, rr, cc, geometry) : GARBAGE;
                        assertEquals(expected, out[o], name + " plane " + pl + " output " + rr + "," + cc);
                        expGi[naiveArg(x, pl * h * w, h, w, rr, cc, geometry)] += g[o];
                    }
                }
                if (!mine) {
                    Arrays.fill(expGi, GARBAGE);
                }
                assertArrayEquals(expGi, Arrays.copyOfRange(gi, pl * h * w, (pl + 1) * h * w), name + " gradient plane " + pl);
            }
        }
    }
}
