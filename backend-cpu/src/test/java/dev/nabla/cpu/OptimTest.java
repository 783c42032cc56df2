package dev.nabla.cpu;

import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused Adam step against core's composite update, written out op by op. */
class OptimTest {
    static final CpuBackend SIMD = new CpuBackend(Kernels.simdOrNull(), 0);
    static final CpuBackend SCALAR = new CpuBackend(Kernels.scalar(), 0);

    /** Core's composite, one float op at a time (scalars rounded to float as core's scalar tensors are). */
    static void composite(float[] p, float[] g, float[] m, float[] v, double lr, double b1, double b2, double eps,
                          double wd, boolean decoupled, long step) {
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            if (wd != 0) {
                if (decoupled) {
                    p[i] = p[i] * (float) (1 - lr * wd);
                } else {
                    gi = gi + p[i] * (float) wd;
                }
            }
            m[i] = m[i] * (float) b1;
            m[i] = m[i] + gi * (float) (1 - b1);
            v[i] = v[i] * (float) b2;
            v[i] = v[i] + (gi * gi) * (float) (1 - b2);
            double bc1 = 1 - Math.pow(b1, step);
            double bc2 = 1 - Math.pow(b2, step);
            float den = (float) Math.sqrt(v[i]) / (float) Math.sqrt(bc2) + (float) eps;
            p[i] = p[i] + (m[i] / den) * (float) (-lr / bc1);
        }
    }

    @Test
    void float32StepMatchesTheCompositeBitwise() {
        Random r = new Random(9);
        for (int n : new int[] {1, 15, 16, 17, 100, 40_000, 100_003}) {
            for (int variant = 0; variant < 3; variant++) {
                double wd = variant == 0 ? 0 : 0.01;
                boolean decoupled = variant == 2;
                float[] p = TestUtil.randomFloats(r, n, -1, 1), g = TestUtil.randomFloats(r, n, -1, 1);
                float[] m = TestUtil.randomFloats(r, n, -0.1f, 0.1f), v = TestUtil.randomFloats(r, n, 0, 0.01f);
                float[] ep = p.clone(), em = m.clone(), ev = v.clone();
                composite(ep, g, em, ev, 1e-3, 0.9, 0.999, 1e-8, wd, decoupled, 7);
                for (CpuBackend be : new CpuBackend[] {SIMD, SCALAR}) {
                    Operand po = ConvTest.tensor(be, p, n, 1, 1, 1), go = ConvTest.tensor(be, g, n, 1, 1, 1);
                    Operand mo = ConvTest.tensor(be, m, n, 1, 1, 1), vo = ConvTest.tensor(be, v, n, 1, 1, 1);
                    assertTrue(be.adamStep(po, go, mo, vo, 1e-3, 0.9, 0.999, 1e-8, wd, decoupled, 7));
                    String name = n + " elements, variant " + variant + ", " + be;
                    assertArrayEquals(ep, ConvTest.values(po), "param " + name);
                    assertArrayEquals(em, ConvTest.values(mo), "exp_avg " + name);
                    assertArrayEquals(ev, ConvTest.values(vo), "exp_avg_sq " + name);
                }
            }
        }
    }

    @Test
    void float64StepFollowsTheFormula() {
        int n = 33;
        Random r = new Random(2);
        double[] p = TestUtil.randomDoubles(r, n), g = TestUtil.randomDoubles(r, n), m = new double[n], v = new double[n];
        Operand po = TestUtil.contiguous(SCALAR, p.clone(), n), go = TestUtil.contiguous(SCALAR, g, n);
        Operand mo = TestUtil.contiguous(SCALAR, m.clone(), n), vo = TestUtil.contiguous(SCALAR, v.clone(), n);
        assertTrue(SCALAR.adamStep(po, go, mo, vo, 0.1, 0.9, 0.99, 1e-8, 0.5, true, 1));
        double[] got = (double[]) TestUtil.array(po);
        for (int i = 0; i < n; i++) {
            double pi = p[i] * (1 - 0.1 * 0.5);
            double mi = (1 - 0.9) * g[i];
            double vi = (1 - 0.99) * g[i] * g[i];
            double expected = pi - 0.1 / (1 - 0.9) * mi / (Math.sqrt(vi) / Math.sqrt(1 - 0.99) + 1e-8);
            org.junit.jupiter.api.Assertions.assertEquals(expected, got[i], 1e-12);
        }
    }

    @Test
    void mixedOrNonContiguousOperandsAreLeftToCore() {
        Operand f = TestUtil.contiguous(SCALAR, new float[4], 4);
        Operand d = TestUtil.contiguous(SCALAR, new double[4], 4);
        assertFalse(SCALAR.adamStep(f, d, f, f, 0.1, 0.9, 0.99, 1e-8, 0, false, 1));
        Operand l = TestUtil.contiguous(SCALAR, new long[4], 4);
        assertFalse(SCALAR.adamStep(l, l, l, l, 0.1, 0.9, 0.99, 1e-8, 0, false, 1));
    }
}
