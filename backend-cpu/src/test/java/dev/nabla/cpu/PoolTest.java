package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Max pooling fast paths against a naive emulation of core's default (pad with -inf, amax; argmax, scatter-add). */
class PoolTest {
    static final CpuBackend BE = new CpuBackend(Kernels.floats(), 0);

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

    @Test
    void forwardAndBackwardMatchTheDefaultRules() {
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
                Operand xo = ConvTest.tensor(BE, x, n, c, h, w);
                Operand yo = ConvTest.output(BE, n, c, oh, ow);
                assertTrue(BE.maxPool2d(xo, g, yo));
                String name = Arrays.toString(t) + (specials ? " with NaN/-inf" : "");
                assertArrayEquals(expY, ConvTest.values(yo), name);
                Operand go = ConvTest.tensor(BE, gy, n, c, oh, ow);
                Operand gx = ConvTest.tensor(BE, new float[x.length], n, c, h, w);
                assertTrue(BE.maxPool2dBackward(go, xo, g, gx));
                assertArrayEquals(expGx, ConvTest.values(gx), "backward " + name);
            }
        }
    }

    @Test
    void otherDtypesAreLeftToCore() {
        Operand x = TestUtil.contiguous(BE, new double[16], 1, 1, 4, 4);
        Operand y = TestUtil.empty(BE, DType.FLOAT64, 1, 1, 2, 2);
        assertFalse(BE.maxPool2d(x, Conv2dGeometry.of(2, 2, 0, 1), y));
        assertFalse(BE.maxPool2dBackward(y, x, Conv2dGeometry.of(2, 2, 0, 1), x));
    }
}
