package dev.nabla.cpu.kernels;

import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * FLOAT32 kernels on the incubating Vector API, with {@link FloatVector#SPECIES_PREFERRED}. This class and the
 * helpers it alone uses ({@link SimdPool}) are the only ones that link against {@code jdk.incubator.vector};
 * {@link Kernels} loads it by name.
 *
 * <p>Loops run whole vectors and then one masked vector for the tail, so every element goes through
 * the same formula whatever its position. Transcendentals are polynomial approximations written here
 * (a few ulp), not the Vector API's math operators, whose speed depends on the platform. SIN, COS and
 * POW (except {@code x^2}) fall back to the scalar definitions.
 *
 * <p>The vector math of each unary op is written out inside its loop method rather than in shared
 * helper methods: C2 only keeps vectors in registers when every call that takes or returns a vector is
 * inlined, and helper methods that grow past its inlining limits (or get compiled on their own during
 * warm-up) would make it box every vector.
 */
public final class SimdFloatKernels implements FloatKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> I8_BYTES = ByteVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> I8_SHORTS = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I8_INTS = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements per block of a sum; block sums are combined in double. */
    private static final int SUM_BLOCK = 1024;

    private static final int MR = L >= 16 || "aarch64".equals(System.getProperty("os.arch")) ? 8 : 6;
    private static final int NR = 2 * L;

    private final ScalarFloatKernels scalar = new ScalarFloatKernels();

    public SimdFloatKernels() {
        if (L < 4) {
            throw new UnsupportedOperationException("preferred float vector has only " + L + " lanes");
        }
    }

    @Override
    public String description() {
        return "SIMD: " + S.vectorBitSize() + "-bit (jdk.incubator.vector)";
    }

    @Override
    public boolean isSimd() {
        return true;
    }

    // ------------------------------------------------------------------ unary

    @Override
    public void unary(UnaryOp op, float[] x, int xo, float[] out, int oo, int n, float alpha) {
        switch (op) {
            case NEG -> neg(x, xo, out, oo, n);
            case ABS -> abs(x, xo, out, oo, n);
            case SIGN -> sign(x, xo, out, oo, n);
            case EXP -> exp(x, xo, out, oo, n);
            case EXPM1 -> expm1(x, xo, out, oo, n);
            case LOG -> log(x, xo, out, oo, n);
            case LOG1P -> log1p(x, xo, out, oo, n);
            case SQRT -> sqrt(x, xo, out, oo, n);
            case RSQRT -> rsqrt(x, xo, out, oo, n);
            case RECIPROCAL -> reciprocal(x, xo, out, oo, n);
            case TANH -> tanh(x, xo, out, oo, n);
            case SIGMOID -> sigmoid(x, xo, out, oo, n);
            case ERF -> erf(x, xo, out, oo, n);
            case RELU -> relu(x, xo, out, oo, n);
            case LEAKY_RELU -> leakyRelu(x, xo, out, oo, n, alpha);
            case FLOOR -> floor(x, xo, out, oo, n);
            case CEIL -> ceil(x, xo, out, oo, n);
            case ROUND -> round(x, xo, out, oo, n);
            case SIN, COS -> scalar.unary(op, x, xo, out, oo, n, alpha);
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    private static void neg(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = v.neg();
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = v.neg();
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void abs(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = v.abs();
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = v.abs();
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void sign(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** {@code e^x = 2^n (1 + r P(r))} with {@code x = n ln2 + r, |r| <= ln2/2}; {@code 2^n} is applied in two halves so that subnormal results and overflow to infinity come out right. */
    private static void exp(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector wxc = v.max(-104f).min(88.8f);
            FloatVector wt = wxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector wn = wt.sub(ROUND_MAGIC);
            IntVector wni = wt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector wr = wn.fma(FloatVector.broadcast(S, -LN2_HI), wxc);
            wr = wn.fma(FloatVector.broadcast(S, -LN2_LO), wr);
            FloatVector wq = wr.fma(E6, E5);
            wq = wq.fma(wr, FloatVector.broadcast(S, E4));
            wq = wq.fma(wr, FloatVector.broadcast(S, E3));
            wq = wq.fma(wr, FloatVector.broadcast(S, E2));
            wq = wq.fma(wr, FloatVector.broadcast(S, E1));
            wq = wq.fma(wr, FloatVector.broadcast(S, 1f));
            FloatVector we = wr.fma(wq, FloatVector.broadcast(S, 1f));
            IntVector wn1 = wni.lanewise(VectorOperators.ASHR, 1);
            IntVector wn2 = wni.sub(wn1);
            FloatVector ws1 = wn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ws2 = wn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector r = we.mul(ws1).mul(ws2);
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector wxc = v.max(-104f).min(88.8f);
            FloatVector wt = wxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector wn = wt.sub(ROUND_MAGIC);
            IntVector wni = wt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector wr = wn.fma(FloatVector.broadcast(S, -LN2_HI), wxc);
            wr = wn.fma(FloatVector.broadcast(S, -LN2_LO), wr);
            FloatVector wq = wr.fma(E6, E5);
            wq = wq.fma(wr, FloatVector.broadcast(S, E4));
            wq = wq.fma(wr, FloatVector.broadcast(S, E3));
            wq = wq.fma(wr, FloatVector.broadcast(S, E2));
            wq = wq.fma(wr, FloatVector.broadcast(S, E1));
            wq = wq.fma(wr, FloatVector.broadcast(S, 1f));
            FloatVector we = wr.fma(wq, FloatVector.broadcast(S, 1f));
            IntVector wn1 = wni.lanewise(VectorOperators.ASHR, 1);
            IntVector wn2 = wni.sub(wn1);
            FloatVector ws1 = wn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ws2 = wn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector r = we.mul(ws1).mul(ws2);
            r.intoArray(out, oo + i, mask);
        }
    }

    /** {@code e^x - 1 = 2^n expm1(r) + (2^n - 1)} for {@code n <= 24} (no cancellation near 0), {@code (1 + expm1(r)) 2^n} beyond. */
    private static void expm1(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector wxc = v.max(-30f).min(88.8f);
            FloatVector wt = wxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector wn = wt.sub(ROUND_MAGIC);
            IntVector wni = wt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector wr = wn.fma(FloatVector.broadcast(S, -LN2_HI), wxc);
            wr = wn.fma(FloatVector.broadcast(S, -LN2_LO), wr);
            FloatVector wq = wr.fma(E6, E5);
            wq = wq.fma(wr, FloatVector.broadcast(S, E4));
            wq = wq.fma(wr, FloatVector.broadcast(S, E3));
            wq = wq.fma(wr, FloatVector.broadcast(S, E2));
            wq = wq.fma(wr, FloatVector.broadcast(S, E1));
            wq = wq.fma(wr, FloatVector.broadcast(S, 1f));
            FloatVector wem = wr.mul(wq);
            FloatVector ws = wni.min(24).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector wsmall = ws.fma(wem, ws.sub(1f));
            IntVector wn1 = wni.lanewise(VectorOperators.ASHR, 1);
            IntVector wn2 = wni.sub(wn1);
            FloatVector ws1 = wn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ws2 = wn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector wlarge = wem.add(1f).mul(ws1).mul(ws2);
            FloatVector r = wsmall.blend(wlarge, wn.compare(VectorOperators.GT, 24f));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector wxc = v.max(-30f).min(88.8f);
            FloatVector wt = wxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector wn = wt.sub(ROUND_MAGIC);
            IntVector wni = wt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector wr = wn.fma(FloatVector.broadcast(S, -LN2_HI), wxc);
            wr = wn.fma(FloatVector.broadcast(S, -LN2_LO), wr);
            FloatVector wq = wr.fma(E6, E5);
            wq = wq.fma(wr, FloatVector.broadcast(S, E4));
            wq = wq.fma(wr, FloatVector.broadcast(S, E3));
            wq = wq.fma(wr, FloatVector.broadcast(S, E2));
            wq = wq.fma(wr, FloatVector.broadcast(S, E1));
            wq = wq.fma(wr, FloatVector.broadcast(S, 1f));
            FloatVector wem = wr.mul(wq);
            FloatVector ws = wni.min(24).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector wsmall = ws.fma(wem, ws.sub(1f));
            IntVector wn1 = wni.lanewise(VectorOperators.ASHR, 1);
            IntVector wn2 = wni.sub(wn1);
            FloatVector ws1 = wn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ws2 = wn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector wlarge = wem.add(1f).mul(ws1).mul(ws2);
            FloatVector r = wsmall.blend(wlarge, wn.compare(VectorOperators.GT, 24f));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f): log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), R the atanh series 2z/3 + 2z^2/5 + 2z^3/7 + 2z^4/9; subnormal inputs are scaled by 2^23 first. */
    private static void log(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            VectorMask<Float> wsub = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
            FloatVector wxs = v.blend(v.mul(TWO_23), wsub);
            IntVector wbits = wxs.reinterpretAsInts().add(0x3f800000 - 0x3f3504f3);
            FloatVector wm = wbits.and(0x007fffff).add(0x3f3504f3).reinterpretAsFloats();
            FloatVector wk = (FloatVector) wbits.lanewise(VectorOperators.ASHR, 23).sub(127).convert(VectorOperators.I2F, 0);
            wk = wk.blend(wk.sub(23f), wsub);
            FloatVector wf = wm.sub(1f);
            FloatVector ws = wf.div(wf.add(2f));
            FloatVector wz = ws.mul(ws);
            FloatVector wrz = wz.fma(2f / 9f, 2f / 7f);
            wrz = wrz.fma(wz, FloatVector.broadcast(S, 2f / 5f));
            wrz = wrz.fma(wz, FloatVector.broadcast(S, 2f / 3f)).mul(wz);
            FloatVector whfsq = wf.mul(wf).mul(0.5f);
            FloatVector wlo = ws.fma(whfsq.add(wrz), wk.mul(LN2_LO));
            FloatVector r = wk.fma(FloatVector.broadcast(S, LN2_HI), whfsq.sub(wlo).sub(wf).neg());
            r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f));
            r = r.blend(Float.NaN, v.compare(VectorOperators.LT, 0f));
            r = r.blend(v, v.compare(VectorOperators.GE, Float.POSITIVE_INFINITY).or(v.test(VectorOperators.IS_NAN)));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            VectorMask<Float> wsub = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
            FloatVector wxs = v.blend(v.mul(TWO_23), wsub);
            IntVector wbits = wxs.reinterpretAsInts().add(0x3f800000 - 0x3f3504f3);
            FloatVector wm = wbits.and(0x007fffff).add(0x3f3504f3).reinterpretAsFloats();
            FloatVector wk = (FloatVector) wbits.lanewise(VectorOperators.ASHR, 23).sub(127).convert(VectorOperators.I2F, 0);
            wk = wk.blend(wk.sub(23f), wsub);
            FloatVector wf = wm.sub(1f);
            FloatVector ws = wf.div(wf.add(2f));
            FloatVector wz = ws.mul(ws);
            FloatVector wrz = wz.fma(2f / 9f, 2f / 7f);
            wrz = wrz.fma(wz, FloatVector.broadcast(S, 2f / 5f));
            wrz = wrz.fma(wz, FloatVector.broadcast(S, 2f / 3f)).mul(wz);
            FloatVector whfsq = wf.mul(wf).mul(0.5f);
            FloatVector wlo = ws.fma(whfsq.add(wrz), wk.mul(LN2_LO));
            FloatVector r = wk.fma(FloatVector.broadcast(S, LN2_HI), whfsq.sub(wlo).sub(wf).neg());
            r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f));
            r = r.blend(Float.NaN, v.compare(VectorOperators.LT, 0f));
            r = r.blend(v, v.compare(VectorOperators.GE, Float.POSITIVE_INFINITY).or(v.test(VectorOperators.IS_NAN)));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** log(u) - ((u - 1) - x) / u with u = 1 + x, which cancels the rounding error of u. */
    private static void log1p(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector u = v.add(1f);
            VectorMask<Float> lsub = u.compare(VectorOperators.LT, Float.MIN_NORMAL);
            FloatVector lxs = u.blend(u.mul(TWO_23), lsub);
            IntVector lbits = lxs.reinterpretAsInts().add(0x3f800000 - 0x3f3504f3);
            FloatVector lm = lbits.and(0x007fffff).add(0x3f3504f3).reinterpretAsFloats();
            FloatVector lk = (FloatVector) lbits.lanewise(VectorOperators.ASHR, 23).sub(127).convert(VectorOperators.I2F, 0);
            lk = lk.blend(lk.sub(23f), lsub);
            FloatVector lf = lm.sub(1f);
            FloatVector ls = lf.div(lf.add(2f));
            FloatVector lz = ls.mul(ls);
            FloatVector lrz = lz.fma(2f / 9f, 2f / 7f);
            lrz = lrz.fma(lz, FloatVector.broadcast(S, 2f / 5f));
            lrz = lrz.fma(lz, FloatVector.broadcast(S, 2f / 3f)).mul(lz);
            FloatVector lhfsq = lf.mul(lf).mul(0.5f);
            FloatVector llo = ls.fma(lhfsq.add(lrz), lk.mul(LN2_LO));
            FloatVector lu = lk.fma(FloatVector.broadcast(S, LN2_HI), lhfsq.sub(llo).sub(lf).neg());
            lu = lu.blend(Float.NEGATIVE_INFINITY, u.compare(VectorOperators.EQ, 0f));
            lu = lu.blend(Float.NaN, u.compare(VectorOperators.LT, 0f));
            lu = lu.blend(u, u.compare(VectorOperators.GE, Float.POSITIVE_INFINITY).or(u.test(VectorOperators.IS_NAN)));
            FloatVector corr = u.sub(1f).sub(v).div(u);
            VectorMask<Float> finitePositive = u.compare(VectorOperators.GT, 0f).and(u.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
            FloatVector r = lu.blend(lu.sub(corr), finitePositive);
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector u = v.add(1f);
            VectorMask<Float> lsub = u.compare(VectorOperators.LT, Float.MIN_NORMAL);
            FloatVector lxs = u.blend(u.mul(TWO_23), lsub);
            IntVector lbits = lxs.reinterpretAsInts().add(0x3f800000 - 0x3f3504f3);
            FloatVector lm = lbits.and(0x007fffff).add(0x3f3504f3).reinterpretAsFloats();
            FloatVector lk = (FloatVector) lbits.lanewise(VectorOperators.ASHR, 23).sub(127).convert(VectorOperators.I2F, 0);
            lk = lk.blend(lk.sub(23f), lsub);
            FloatVector lf = lm.sub(1f);
            FloatVector ls = lf.div(lf.add(2f));
            FloatVector lz = ls.mul(ls);
            FloatVector lrz = lz.fma(2f / 9f, 2f / 7f);
            lrz = lrz.fma(lz, FloatVector.broadcast(S, 2f / 5f));
            lrz = lrz.fma(lz, FloatVector.broadcast(S, 2f / 3f)).mul(lz);
            FloatVector lhfsq = lf.mul(lf).mul(0.5f);
            FloatVector llo = ls.fma(lhfsq.add(lrz), lk.mul(LN2_LO));
            FloatVector lu = lk.fma(FloatVector.broadcast(S, LN2_HI), lhfsq.sub(llo).sub(lf).neg());
            lu = lu.blend(Float.NEGATIVE_INFINITY, u.compare(VectorOperators.EQ, 0f));
            lu = lu.blend(Float.NaN, u.compare(VectorOperators.LT, 0f));
            lu = lu.blend(u, u.compare(VectorOperators.GE, Float.POSITIVE_INFINITY).or(u.test(VectorOperators.IS_NAN)));
            FloatVector corr = u.sub(1f).sub(v).div(u);
            VectorMask<Float> finitePositive = u.compare(VectorOperators.GT, 0f).and(u.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
            FloatVector r = lu.blend(lu.sub(corr), finitePositive);
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void sqrt(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = v.sqrt();
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = v.sqrt();
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void rsqrt(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = FloatVector.broadcast(S, 1f).div(v.sqrt());
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = FloatVector.broadcast(S, 1f).div(v.sqrt());
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void reciprocal(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = FloatVector.broadcast(S, 1f).div(v);
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = FloatVector.broadcast(S, 1f).div(v);
            r.intoArray(out, oo + i, mask);
        }
    }

    /** sign(x) e / (e + 2) with e = expm1(2|x|); |x| is clamped at 9, where tanh rounds to 1. */
    private static void tanh(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.abs().min(9f);
            FloatVector xxc = a.add(a).max(-30f).min(88.8f);
            FloatVector xt = xxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector xn = xt.sub(ROUND_MAGIC);
            IntVector xni = xt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector xr = xn.fma(FloatVector.broadcast(S, -LN2_HI), xxc);
            xr = xn.fma(FloatVector.broadcast(S, -LN2_LO), xr);
            FloatVector xq = xr.fma(E6, E5);
            xq = xq.fma(xr, FloatVector.broadcast(S, E4));
            xq = xq.fma(xr, FloatVector.broadcast(S, E3));
            xq = xq.fma(xr, FloatVector.broadcast(S, E2));
            xq = xq.fma(xr, FloatVector.broadcast(S, E1));
            xq = xq.fma(xr, FloatVector.broadcast(S, 1f));
            FloatVector xem = xr.mul(xq);
            FloatVector xs = xni.min(24).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xsmall = xs.fma(xem, xs.sub(1f));
            IntVector xn1 = xni.lanewise(VectorOperators.ASHR, 1);
            IntVector xn2 = xni.sub(xn1);
            FloatVector xs1 = xn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xs2 = xn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xlarge = xem.add(1f).mul(xs1).mul(xs2);
            FloatVector e = xsmall.blend(xlarge, xn.compare(VectorOperators.GT, 24f));
            FloatVector r = e.div(e.add(2f)).reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector a = v.abs().min(9f);
            FloatVector xxc = a.add(a).max(-30f).min(88.8f);
            FloatVector xt = xxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector xn = xt.sub(ROUND_MAGIC);
            IntVector xni = xt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector xr = xn.fma(FloatVector.broadcast(S, -LN2_HI), xxc);
            xr = xn.fma(FloatVector.broadcast(S, -LN2_LO), xr);
            FloatVector xq = xr.fma(E6, E5);
            xq = xq.fma(xr, FloatVector.broadcast(S, E4));
            xq = xq.fma(xr, FloatVector.broadcast(S, E3));
            xq = xq.fma(xr, FloatVector.broadcast(S, E2));
            xq = xq.fma(xr, FloatVector.broadcast(S, E1));
            xq = xq.fma(xr, FloatVector.broadcast(S, 1f));
            FloatVector xem = xr.mul(xq);
            FloatVector xs = xni.min(24).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xsmall = xs.fma(xem, xs.sub(1f));
            IntVector xn1 = xni.lanewise(VectorOperators.ASHR, 1);
            IntVector xn2 = xni.sub(xn1);
            FloatVector xs1 = xn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xs2 = xn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xlarge = xem.add(1f).mul(xs1).mul(xs2);
            FloatVector e = xsmall.blend(xlarge, xn.compare(VectorOperators.GT, 24f));
            FloatVector r = e.div(e.add(2f)).reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
            r.intoArray(out, oo + i, mask);
        }
    }

    /** 1 / (1 + e^-x): e^-x overflows to infinity for very negative x and the result goes to 0 without NaN. */
    private static void sigmoid(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector xxc = v.neg().max(-104f).min(88.8f);
            FloatVector xt = xxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector xn = xt.sub(ROUND_MAGIC);
            IntVector xni = xt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector xr = xn.fma(FloatVector.broadcast(S, -LN2_HI), xxc);
            xr = xn.fma(FloatVector.broadcast(S, -LN2_LO), xr);
            FloatVector xq = xr.fma(E6, E5);
            xq = xq.fma(xr, FloatVector.broadcast(S, E4));
            xq = xq.fma(xr, FloatVector.broadcast(S, E3));
            xq = xq.fma(xr, FloatVector.broadcast(S, E2));
            xq = xq.fma(xr, FloatVector.broadcast(S, E1));
            xq = xq.fma(xr, FloatVector.broadcast(S, 1f));
            FloatVector xe = xr.fma(xq, FloatVector.broadcast(S, 1f));
            IntVector xn1 = xni.lanewise(VectorOperators.ASHR, 1);
            IntVector xn2 = xni.sub(xn1);
            FloatVector xs1 = xn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xs2 = xn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = xe.mul(xs1).mul(xs2);
            FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector xxc = v.neg().max(-104f).min(88.8f);
            FloatVector xt = xxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector xn = xt.sub(ROUND_MAGIC);
            IntVector xni = xt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector xr = xn.fma(FloatVector.broadcast(S, -LN2_HI), xxc);
            xr = xn.fma(FloatVector.broadcast(S, -LN2_LO), xr);
            FloatVector xq = xr.fma(E6, E5);
            xq = xq.fma(xr, FloatVector.broadcast(S, E4));
            xq = xq.fma(xr, FloatVector.broadcast(S, E3));
            xq = xq.fma(xr, FloatVector.broadcast(S, E2));
            xq = xq.fma(xr, FloatVector.broadcast(S, E1));
            xq = xq.fma(xr, FloatVector.broadcast(S, 1f));
            FloatVector xe = xr.fma(xq, FloatVector.broadcast(S, 1f));
            IntVector xn1 = xni.lanewise(VectorOperators.ASHR, 1);
            IntVector xn2 = xni.sub(xn1);
            FloatVector xs1 = xn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xs2 = xn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = xe.mul(xs1).mul(xs2);
            FloatVector r = FloatVector.broadcast(S, 1f).div(e.add(1f));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** below 1: x P(x^2), degree 6 in x^2; from 1 to 4: 1 - e^(-x^2) Q(1/x), degree 8; 1 beyond. Coefficients are least-squares fits on Chebyshev nodes (fit error ~1e-9 and ~7e-8 relative). */
    private static void erf(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.abs();
            FloatVector z = a.mul(a);
            FloatVector p = z.fma(7.853907e-05f, -0.0008010209f);
            p = p.fma(z, FloatVector.broadcast(S, 0.0051883296f));
            p = p.fma(z, FloatVector.broadcast(S, -0.026853813f));
            p = p.fma(z, FloatVector.broadcast(S, 0.112835854f));
            p = p.fma(z, FloatVector.broadcast(S, -0.37612626f));
            p = p.fma(z, FloatVector.broadcast(S, 1.1283791f));
            FloatVector small = a.mul(p);
            FloatVector al = a.max(1f).min(4f);
            FloatVector t = FloatVector.broadcast(S, 1f).div(al);
            FloatVector q = t.fma(-0.011374407f, 0.03799792f);
            q = q.fma(t, FloatVector.broadcast(S, 0.00403099f));
            q = q.fma(t, FloatVector.broadcast(S, -0.21907416f));
            q = q.fma(t, FloatVector.broadcast(S, 0.4809429f));
            q = q.fma(t, FloatVector.broadcast(S, -0.46466863f));
            q = q.fma(t, FloatVector.broadcast(S, 0.040160093f));
            q = q.fma(t, FloatVector.broadcast(S, 0.55931574f));
            q = q.fma(t, FloatVector.broadcast(S, 0.0002530979f));
            FloatVector xxc = al.mul(al).neg().max(-104f).min(88.8f);
            FloatVector xt = xxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector xn = xt.sub(ROUND_MAGIC);
            IntVector xni = xt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector xr = xn.fma(FloatVector.broadcast(S, -LN2_HI), xxc);
            xr = xn.fma(FloatVector.broadcast(S, -LN2_LO), xr);
            FloatVector xq = xr.fma(E6, E5);
            xq = xq.fma(xr, FloatVector.broadcast(S, E4));
            xq = xq.fma(xr, FloatVector.broadcast(S, E3));
            xq = xq.fma(xr, FloatVector.broadcast(S, E2));
            xq = xq.fma(xr, FloatVector.broadcast(S, E1));
            xq = xq.fma(xr, FloatVector.broadcast(S, 1f));
            FloatVector xe = xr.fma(xq, FloatVector.broadcast(S, 1f));
            IntVector xn1 = xni.lanewise(VectorOperators.ASHR, 1);
            IntVector xn2 = xni.sub(xn1);
            FloatVector xs1 = xn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xs2 = xn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ex = xe.mul(xs1).mul(xs2);
            FloatVector large = FloatVector.broadcast(S, 1f).sub(ex.mul(q)).blend(1f, a.compare(VectorOperators.GE, 4f));
            FloatVector r = small.blend(large, a.compare(VectorOperators.GE, 1f))
                    .reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector a = v.abs();
            FloatVector z = a.mul(a);
            FloatVector p = z.fma(7.853907e-05f, -0.0008010209f);
            p = p.fma(z, FloatVector.broadcast(S, 0.0051883296f));
            p = p.fma(z, FloatVector.broadcast(S, -0.026853813f));
            p = p.fma(z, FloatVector.broadcast(S, 0.112835854f));
            p = p.fma(z, FloatVector.broadcast(S, -0.37612626f));
            p = p.fma(z, FloatVector.broadcast(S, 1.1283791f));
            FloatVector small = a.mul(p);
            FloatVector al = a.max(1f).min(4f);
            FloatVector t = FloatVector.broadcast(S, 1f).div(al);
            FloatVector q = t.fma(-0.011374407f, 0.03799792f);
            q = q.fma(t, FloatVector.broadcast(S, 0.00403099f));
            q = q.fma(t, FloatVector.broadcast(S, -0.21907416f));
            q = q.fma(t, FloatVector.broadcast(S, 0.4809429f));
            q = q.fma(t, FloatVector.broadcast(S, -0.46466863f));
            q = q.fma(t, FloatVector.broadcast(S, 0.040160093f));
            q = q.fma(t, FloatVector.broadcast(S, 0.55931574f));
            q = q.fma(t, FloatVector.broadcast(S, 0.0002530979f));
            FloatVector xxc = al.mul(al).neg().max(-104f).min(88.8f);
            FloatVector xt = xxc.fma(LOG2E, ROUND_MAGIC);
            FloatVector xn = xt.sub(ROUND_MAGIC);
            IntVector xni = xt.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector xr = xn.fma(FloatVector.broadcast(S, -LN2_HI), xxc);
            xr = xn.fma(FloatVector.broadcast(S, -LN2_LO), xr);
            FloatVector xq = xr.fma(E6, E5);
            xq = xq.fma(xr, FloatVector.broadcast(S, E4));
            xq = xq.fma(xr, FloatVector.broadcast(S, E3));
            xq = xq.fma(xr, FloatVector.broadcast(S, E2));
            xq = xq.fma(xr, FloatVector.broadcast(S, E1));
            xq = xq.fma(xr, FloatVector.broadcast(S, 1f));
            FloatVector xe = xr.fma(xq, FloatVector.broadcast(S, 1f));
            IntVector xn1 = xni.lanewise(VectorOperators.ASHR, 1);
            IntVector xn2 = xni.sub(xn1);
            FloatVector xs1 = xn1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector xs2 = xn2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ex = xe.mul(xs1).mul(xs2);
            FloatVector large = FloatVector.broadcast(S, 1f).sub(ex.mul(q)).blend(1f, a.compare(VectorOperators.GE, 4f));
            FloatVector r = small.blend(large, a.compare(VectorOperators.GE, 1f))
                    .reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void relu(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = v.max(0f);
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = v.max(0f);
            r.intoArray(out, oo + i, mask);
        }
    }

    private static void leakyRelu(float[] x, int xo, float[] out, int oo, int n, float alpha) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector r = v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector r = v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** rint via (|x| + 2^23) - 2^23, then minus 1 where that exceeds x; the sign of x is kept (floor(-0.0) = -0.0). */
    private static void floor(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector wa = v.abs();
            IntVector wsign = v.reinterpretAsInts().and(SIGN_BIT);
            FloatVector wr = wa.add(TWO_23).sub(TWO_23).reinterpretAsInts().or(wsign).reinterpretAsFloats();
            wr = wr.blend(wr.sub(1f), wr.compare(VectorOperators.GT, v));
            wr = wr.abs().reinterpretAsInts().or(wsign).reinterpretAsFloats();
            FloatVector r = v.blend(wr, wa.compare(VectorOperators.LT, TWO_23));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector wa = v.abs();
            IntVector wsign = v.reinterpretAsInts().and(SIGN_BIT);
            FloatVector wr = wa.add(TWO_23).sub(TWO_23).reinterpretAsInts().or(wsign).reinterpretAsFloats();
            wr = wr.blend(wr.sub(1f), wr.compare(VectorOperators.GT, v));
            wr = wr.abs().reinterpretAsInts().or(wsign).reinterpretAsFloats();
            FloatVector r = v.blend(wr, wa.compare(VectorOperators.LT, TWO_23));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** rint via (|x| + 2^23) - 2^23, then plus 1 where that is below x; the sign of x is kept (ceil(-0.5) = -0.0). */
    private static void ceil(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector wa = v.abs();
            IntVector wsign = v.reinterpretAsInts().and(SIGN_BIT);
            FloatVector wr = wa.add(TWO_23).sub(TWO_23).reinterpretAsInts().or(wsign).reinterpretAsFloats();
            wr = wr.blend(wr.add(1f), wr.compare(VectorOperators.LT, v));
            wr = wr.abs().reinterpretAsInts().or(wsign).reinterpretAsFloats();
            FloatVector r = v.blend(wr, wa.compare(VectorOperators.LT, TWO_23));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector wa = v.abs();
            IntVector wsign = v.reinterpretAsInts().and(SIGN_BIT);
            FloatVector wr = wa.add(TWO_23).sub(TWO_23).reinterpretAsInts().or(wsign).reinterpretAsFloats();
            wr = wr.blend(wr.add(1f), wr.compare(VectorOperators.LT, v));
            wr = wr.abs().reinterpretAsInts().or(wsign).reinterpretAsFloats();
            FloatVector r = v.blend(wr, wa.compare(VectorOperators.LT, TWO_23));
            r.intoArray(out, oo + i, mask);
        }
    }

    /** round half to even like Math.rint: (|x| + 2^23) - 2^23 with the sign of x; |x| >= 2^23 (and NaN) stay as they are. */
    private static void round(float[] x, int xo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector wa = v.abs();
            FloatVector wr = wa.add(TWO_23).sub(TWO_23).reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
            FloatVector r = v.blend(wr, wa.compare(VectorOperators.LT, TWO_23));
            r.intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, x, xo + i, mask);
            FloatVector wa = v.abs();
            FloatVector wr = wa.add(TWO_23).sub(TWO_23).reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
            FloatVector r = v.blend(wr, wa.compare(VectorOperators.LT, TWO_23));
            r.intoArray(out, oo + i, mask);
        }
    }

    // ------------------------------------------------------------------ binary

    @Override
    public void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> addVV(a, ao, b, bo, out, oo, n);
            case SUB -> subVV(a, ao, b, bo, out, oo, n);
            case MUL -> mulVV(a, ao, b, bo, out, oo, n);
            case DIV -> divVV(a, ao, b, bo, out, oo, n);
            case MAXIMUM -> maxVV(a, ao, b, bo, out, oo, n);
            case MINIMUM -> minVV(a, ao, b, bo, out, oo, n);
            case POW -> scalar.binary(op, a, ao, b, bo, out, oo, n);
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    private static void addVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).add(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void subVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).sub(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void mulVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).mul(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void divVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).div(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void maxVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).max(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void minVV(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).min(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    @Override
    public void binaryVS(BinaryOp op, float[] a, int ao, float b, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> addVS(a, ao, b, out, oo, n);
            case SUB -> subVS(a, ao, b, out, oo, n);
            case MUL -> mulVS(a, ao, b, out, oo, n);
            case DIV -> divVS(a, ao, b, out, oo, n);
            case MAXIMUM -> maxVS(a, ao, b, out, oo, n);
            case MINIMUM -> minVS(a, ao, b, out, oo, n);
            case POW -> {
                if (b == 2f) {
                    square(a, ao, out, oo, n);
                } else {
                    scalar.binaryVS(op, a, ao, b, out, oo, n);
                }
            }
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    private static void addVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).add(vb).intoArray(out, oo + i, m);
        }
    }

    private static void subVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).sub(vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).sub(vb).intoArray(out, oo + i, m);
        }
    }

    private static void mulVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).mul(vb).intoArray(out, oo + i, m);
        }
    }

    private static void divVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).div(vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).div(vb).intoArray(out, oo + i, m);
        }
    }

    private static void maxVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).max(vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).max(vb).intoArray(out, oo + i, m);
        }
    }

    private static void minVS(float[] a, int ao, float b, float[] out, int oo, int n) {
        FloatVector vb = FloatVector.broadcast(S, b);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, ao + i).min(vb).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, ao + i, m).min(vb).intoArray(out, oo + i, m);
        }
    }

    @Override
    public void binarySV(BinaryOp op, float a, float[] b, int bo, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> addSV(a, b, bo, out, oo, n);
            case SUB -> subSV(a, b, bo, out, oo, n);
            case MUL -> mulSV(a, b, bo, out, oo, n);
            case DIV -> divSV(a, b, bo, out, oo, n);
            case MAXIMUM -> maxSV(a, b, bo, out, oo, n);
            case MINIMUM -> minSV(a, b, bo, out, oo, n);
            case POW -> scalar.binarySV(op, a, b, bo, out, oo, n);
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    private static void addSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            va.add(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void subSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            va.sub(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void mulSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            va.mul(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void divSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            va.div(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void maxSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            va.max(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void minSV(float a, float[] b, int bo, float[] out, int oo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            va.min(FloatVector.fromArray(S, b, bo + i, m)).intoArray(out, oo + i, m);
        }
    }

    private static void square(float[] a, int ao, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, ao + i);
            v.mul(v).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(S, a, ao + i, m);
            v.mul(v).intoArray(out, oo + i, m);
        }
    }

    // ------------------------------------------------------------------ compare / where

    @Override
    public void compare(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        // one loop method per operator: the Vector API only intrinsifies a comparison whose operator is a constant
        int i = switch (op) {
            case EQ -> cmpEq(a, ao, as, b, bo, bs, out, oo, n);
            case NE -> cmpNe(a, ao, as, b, bo, bs, out, oo, n);
            case LT -> cmpLt(a, ao, as, b, bo, bs, out, oo, n);
            case LE -> cmpLe(a, ao, as, b, bo, bs, out, oo, n);
            case GT -> cmpGt(a, ao, as, b, bo, bs, out, oo, n);
            case GE -> cmpGe(a, ao, as, b, bo, bs, out, oo, n);
            default -> throw ScalarFloatKernels.unsupported(op);
        };
        // comparisons are exact: the scalar tail gives the same answers
        scalar.compare(op, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, n - i);
    }

    private static int cmpEq(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.EQ, vb).intoArray(out, oo + i);
            }
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                va.compare(VectorOperators.EQ, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        }
        return i;
    }

    private static int cmpNe(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.NE, vb).intoArray(out, oo + i);
            }
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                va.compare(VectorOperators.NE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        }
        return i;
    }

    private static int cmpLt(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LT, vb).intoArray(out, oo + i);
            }
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                va.compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        }
        return i;
    }

    private static int cmpLe(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.LE, vb).intoArray(out, oo + i);
            }
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                va.compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        }
        return i;
    }

    private static int cmpGt(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GT, vb).intoArray(out, oo + i);
            }
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                va.compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        }
        return i;
    }

    private static int cmpGe(float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        } else if (as == 1) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, a, ao + i).compare(VectorOperators.GE, vb).intoArray(out, oo + i);
            }
        } else if (bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                va.compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
            }
        }
        return i;
    }

    @Override
    public void where(boolean[] c, int co, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        if (as == 1 && bs == 1) {
            for (; i < bound; i += L) {
                VectorMask<Float> m = VectorMask.fromArray(S, c, co + i);
                FloatVector.fromArray(S, b, bo + i).blend(FloatVector.fromArray(S, a, ao + i), m).intoArray(out, oo + i);
            }
        } else if (as == 0 && bs == 1) {
            FloatVector va = FloatVector.broadcast(S, a[ao]);
            for (; i < bound; i += L) {
                VectorMask<Float> m = VectorMask.fromArray(S, c, co + i);
                FloatVector.fromArray(S, b, bo + i).blend(va, m).intoArray(out, oo + i);
            }
        } else if (as == 1 && bs == 0) {
            FloatVector vb = FloatVector.broadcast(S, b[bo]);
            for (; i < bound; i += L) {
                VectorMask<Float> m = VectorMask.fromArray(S, c, co + i);
                vb.blend(FloatVector.fromArray(S, a, ao + i), m).intoArray(out, oo + i);
            }
        }
        scalar.where(c, co + i, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, n - i);
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public double sum(float[] x, int off, int n) {
        double total = 0;
        for (int start = 0; start < n; start += SUM_BLOCK) {
            int len = Math.min(SUM_BLOCK, n - start);
            int base = off + start;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int i = 0;
            for (; i + 4 * L <= len; i += 4 * L) {
                s0 = s0.add(load(x, base + i));
                s1 = s1.add(load(x, base + i + L));
                s2 = s2.add(load(x, base + i + 2 * L));
                s3 = s3.add(load(x, base + i + 3 * L));
            }
            for (; i + L <= len; i += L) {
                s0 = s0.add(load(x, base + i));
            }
            if (i < len) {
                s1 = s1.add(load(x, base + i, S.indexInRange(i, len)));
            }
            total += lanesInOrder(s0.add(s1).add(s2.add(s3)));
        }
        return total;
    }

    @Override
    public float max(float[] x, int off, int n) {
        FloatVector m0 = FloatVector.broadcast(S, x[off]);
        FloatVector m1 = m0;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            m0 = m0.max(load(x, off + i));
            m1 = m1.max(load(x, off + i + L));
        }
        for (; i + L <= n; i += L) {
            m0 = m0.max(load(x, off + i));
        }
        float r = m0.max(m1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, x[off + i]);
        }
        return r;
    }

    @Override
    public float min(float[] x, int off, int n) {
        FloatVector m0 = FloatVector.broadcast(S, x[off]);
        FloatVector m1 = m0;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            m0 = m0.min(load(x, off + i));
            m1 = m1.min(load(x, off + i + L));
        }
        for (; i + L <= n; i += L) {
            m0 = m0.min(load(x, off + i));
        }
        float r = m0.min(m1).reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) {
            r = Math.min(r, x[off + i]);
        }
        return r;
    }

    @Override
    public double prod(float[] x, int off, int n) {
        return scalar.prod(x, off, n);
    }

    @Override
    public int dotInt8(byte[] a, int ao, byte[] b, int bo, int n) {
        // no int8 dot-product instruction in the Vector API: widen bytes to shorts, multiply (a product of two
        // int8 fits a short), widen to ints and add. Integer sums are exact, so any order gives the scalar result.
        // parts written out, not looped: the part index must be a constant for the conversions to compile to
        // single instructions
        IntVector acc0 = IntVector.zero(I8_INTS);
        IntVector acc1 = acc0;
        int i = 0;
        for (; i + I8_BYTES.length() <= n; i += I8_BYTES.length()) {
            ByteVector x = ByteVector.fromArray(I8_BYTES, a, ao + i);
            ByteVector y = ByteVector.fromArray(I8_BYTES, b, bo + i);
            ShortVector p0 = ((ShortVector) x.convertShape(VectorOperators.B2S, I8_SHORTS, 0))
                    .mul((ShortVector) y.convertShape(VectorOperators.B2S, I8_SHORTS, 0));
            ShortVector p1 = ((ShortVector) x.convertShape(VectorOperators.B2S, I8_SHORTS, 1))
                    .mul((ShortVector) y.convertShape(VectorOperators.B2S, I8_SHORTS, 1));
            acc0 = acc0.add((IntVector) p0.convertShape(VectorOperators.S2I, I8_INTS, 0))
                    .add((IntVector) p0.convertShape(VectorOperators.S2I, I8_INTS, 1));
            acc1 = acc1.add((IntVector) p1.convertShape(VectorOperators.S2I, I8_INTS, 0))
                    .add((IntVector) p1.convertShape(VectorOperators.S2I, I8_INTS, 1));
        }
        int s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        double total = 0;
        for (int start = 0; start < n; start += SUM_BLOCK) {
            int len = Math.min(SUM_BLOCK, n - start);
            int pa = ao + start;
            int pb = bo + start;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int i = 0;
            for (; i + 4 * L <= len; i += 4 * L) {
                s0 = load(a, pa + i).fma(load(b, pb + i), s0);
                s1 = load(a, pa + i + L).fma(load(b, pb + i + L), s1);
                s2 = load(a, pa + i + 2 * L).fma(load(b, pb + i + 2 * L), s2);
                s3 = load(a, pa + i + 3 * L).fma(load(b, pb + i + 3 * L), s3);
            }
            for (; i + L <= len; i += L) {
                s0 = load(a, pa + i).fma(load(b, pb + i), s0);
            }
            if (i < len) {
                // the tail through zero-padded copies: the same lanes as a masked load (zeros beyond the end), but
                // a masked load here ran the Vector API's allocating fallback even when compiled (2.9 KB per call
                // of a batch-1 predictor)
                float[][] pad = TAIL.get();
                int rest = len - i;
                System.arraycopy(a, pa + i, pad[0], 0, rest);
                System.arraycopy(b, pb + i, pad[1], 0, rest);
                java.util.Arrays.fill(pad[0], rest, L, 0f);
                java.util.Arrays.fill(pad[1], rest, L, 0f);
                s1 = load(pad[0], 0).fma(load(pad[1], 0), s1);
            }
            total += lanesInOrder(s0.add(s1).add(s2.add(s3)));
        }
        return (float) total;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            va.fma(load(x, xo + i), load(y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        }
    }

    @Override
    public void gather(float[] src, int base, int[] index, int io, float[] dst, int d, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, src, base, index, io + i).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = src[base + index[io + i]];
        }
    }

    @Override
    public void reluBackward(float[] g, int go, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> positive = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, g, go + i), positive).intoArray(out, oo + i);
        }
        scalar.reluBackward(g, go + i, x, xo + i, out, oo + i, n - i);
    }

    @Override
    public double sumSquaredDeviations(float[] x, int off, int n, float center) {
        double total = 0;
        for (int start = 0; start < n; start += SUM_BLOCK) {
            int len = Math.min(SUM_BLOCK, n - start);
            int base = off + start;
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            int i = 0;
            for (; i + 2 * L <= len; i += 2 * L) {
                FloatVector d0 = load(x, base + i).sub(center);
                FloatVector d1 = load(x, base + i + L).sub(center);
                s0 = d0.fma(d0, s0);
                s1 = d1.fma(d1, s1);
            }
            for (; i + L <= len; i += L) {
                FloatVector d = load(x, base + i).sub(center);
                s0 = d.fma(d, s0);
            }
            // the tail in scalar code: a masked load allocates where C2 does not intrinsify it (see dot)
            total += lanesInOrder(s0.add(s1)) + scalar.sumSquaredDeviations(x, base + i, len - i, center);
        }
        return total;
    }

    @Override
    public void sumAndCenteredDot(float[] g, int go, float[] x, int xo, int n, float center, double[] acc) {
        double sum = 0, dot = 0;
        for (int start = 0; start < n; start += SUM_BLOCK) {
            int len = Math.min(SUM_BLOCK, n - start);
            FloatVector s = FloatVector.zero(S), d = s;
            int i = 0;
            for (; i + L <= len; i += L) {
                FloatVector gv = load(g, go + start + i);
                s = s.add(gv);
                d = load(x, xo + start + i).sub(center).fma(gv, d);
            }
            sum += lanesInOrder(s);
            dot += lanesInOrder(d);
            // the tail in scalar code (it adds to acc): a masked load allocates where C2 does not intrinsify it
            scalar.sumAndCenteredDot(g, go + start + i, x, xo + start + i, len - i, center, acc);
        }
        acc[0] += sum;
        acc[1] += dot;
    }

    /** The lanes summed in lane order (in double), unlike {@code reduceLanes}. */
    private static double lanesInOrder(FloatVector v) {
        double total = 0;
        for (int l = 0; l < L; l++) {
            total += v.lane(l);
        }
        return total;
    }

    @Override
    public void scaleShift(float[] x, int xo, float scale, float shift, float[] out, int oo, int n) {
        FloatVector a = FloatVector.broadcast(S, scale);
        FloatVector b = FloatVector.broadcast(S, shift);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            load(x, xo + i).fma(a, b).intoArray(out, oo + i);
        }
        scalar.scaleShift(x, xo + i, scale, shift, out, oo + i, n - i);
    }

    @Override
    public void batchNormInputGradient(float[] g, int go, float[] x, int xo, float mean, float proj, float meanG,
                                       float scale, float[] out, int oo, int n) {
        FloatVector p = FloatVector.broadcast(S, proj);
        FloatVector mg = FloatVector.broadcast(S, meanG);
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector correction = load(x, xo + i).sub(mean).fma(p, mg);
            load(g, go + i).sub(correction).mul(scale).intoArray(out, oo + i);
        }
        scalar.batchNormInputGradient(g, go + i, x, xo + i, mean, proj, meanG, scale, out, oo + i, n - i);
    }

    @Override
    public void adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, float decay,
                     boolean coupled, float wd, float b1, float c1, float b2, float c2, float sqrtBc2, float eps,
                     float stepScale) {
        if (coupled) {
            adamCoupled(p, po, g, go, m, mo, v, vo, n, decay, wd, b1, c1, b2, c2, sqrtBc2, eps, stepScale);
        } else {
            adamPlain(p, po, g, go, m, mo, v, vo, n, decay, b1, c1, b2, c2, sqrtBc2, eps, stepScale);
        }
    }

    private static void adamPlain(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                                  float decay, float b1, float c1, float b2, float c2, float sqrtBc2, float eps,
                                  float stepScale) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector wp = FloatVector.fromArray(S, p, po + i).mul(decay);
            FloatVector wg = FloatVector.fromArray(S, g, go + i);
            FloatVector wm = FloatVector.fromArray(S, m, mo + i).mul(b1).add(wg.mul(c1));
            FloatVector wv = FloatVector.fromArray(S, v, vo + i).mul(b2).add(wg.mul(wg).mul(c2));
            wm.intoArray(m, mo + i);
            wv.intoArray(v, vo + i);
            wp.add(wm.div(wv.sqrt().div(sqrtBc2).add(eps)).mul(stepScale)).intoArray(p, po + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector wp = FloatVector.fromArray(S, p, po + i, mask).mul(decay);
            FloatVector wg = FloatVector.fromArray(S, g, go + i, mask);
            FloatVector wm = FloatVector.fromArray(S, m, mo + i, mask).mul(b1).add(wg.mul(c1));
            FloatVector wv = FloatVector.fromArray(S, v, vo + i, mask).mul(b2).add(wg.mul(wg).mul(c2));
            wm.intoArray(m, mo + i, mask);
            wv.intoArray(v, vo + i, mask);
            wp.add(wm.div(wv.sqrt().div(sqrtBc2).add(eps)).mul(stepScale)).intoArray(p, po + i, mask);
        }
    }

    private static void adamCoupled(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n,
                                    float decay, float wd, float b1, float c1, float b2, float c2, float sqrtBc2,
                                    float eps, float stepScale) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector wp = FloatVector.fromArray(S, p, po + i).mul(decay);
            FloatVector wg = FloatVector.fromArray(S, g, go + i).add(wp.mul(wd));
            FloatVector wm = FloatVector.fromArray(S, m, mo + i).mul(b1).add(wg.mul(c1));
            FloatVector wv = FloatVector.fromArray(S, v, vo + i).mul(b2).add(wg.mul(wg).mul(c2));
            wm.intoArray(m, mo + i);
            wv.intoArray(v, vo + i);
            wp.add(wm.div(wv.sqrt().div(sqrtBc2).add(eps)).mul(stepScale)).intoArray(p, po + i);
        }
        if (i < n) {
            VectorMask<Float> mask = S.indexInRange(i, n);
            FloatVector wp = FloatVector.fromArray(S, p, po + i, mask).mul(decay);
            FloatVector wg = FloatVector.fromArray(S, g, go + i, mask).add(wp.mul(wd));
            FloatVector wm = FloatVector.fromArray(S, m, mo + i, mask).mul(b1).add(wg.mul(c1));
            FloatVector wv = FloatVector.fromArray(S, v, vo + i, mask).mul(b2).add(wg.mul(wg).mul(c2));
            wm.intoArray(m, mo + i, mask);
            wv.intoArray(v, vo + i, mask);
            wp.add(wm.div(wv.sqrt().div(sqrtBc2).add(eps)).mul(stepScale)).intoArray(p, po + i, mask);
        }
    }

    @Override
    public void packSliver(float[] src, int base, int[] rowOff, int roOff, int kc, int width, float[] dst, int dOff) {
        if (NR != 2 * L) {
            scalar.packSliver(src, base, rowOff, roOff, kc, width, dst, dOff);
            return;
        }
        if (width == NR) {
            for (int k = 0; k < kc; k++) {
                int s = base + rowOff[roOff + k];
                int d = dOff + k * NR;
                FloatVector.fromArray(S, src, s).intoArray(dst, d);
                FloatVector.fromArray(S, src, s + L).intoArray(dst, d + L);
            }
        } else {
            VectorMask<Float> m0 = S.indexInRange(0, width);
            VectorMask<Float> m1 = S.indexInRange(L, width);
            for (int k = 0; k < kc; k++) {
                int s = base + rowOff[roOff + k];
                int d = dOff + k * NR;
                FloatVector.fromArray(S, src, s, m0).intoArray(dst, d);
                FloatVector.fromArray(S, src, s + L, m1).intoArray(dst, d + L);
            }
        }
    }

    @Override
    public void copy2d(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int width) {
        // the scalar rows (System.arraycopy) beat vector loops here: narrow rows (14-30 elements in the example CNN)
        // need a masked tail store, and masked stores measured 3-4x slower per row than arraycopy on AMD Zen
        scalar.copy2d(src, sOff, sStride, dst, dOff, dStride, rows, width);
    }

    @Override
    public void add2d(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int width) {
        int bound = S.loopBound(width);
        VectorMask<Float> tail = S.indexInRange(bound, width);
        // when rows are closer than a vector, the load of a row would overlap the (masked) store of the row just
        // before it, which the CPU cannot forward: visit every step-th row first, then the ones between
        int step = dStride > 0 && dStride < L ? (L + dStride - 1) / dStride : 1;
        for (int phase = 0; phase < step; phase++) {
            for (int r = phase; r < rows; r += step) {
                int s = sOff + r * sStride;
                int d = dOff + r * dStride;
                int j = 0;
                for (; j < bound; j += L) {
                    FloatVector.fromArray(S, dst, d + j).add(FloatVector.fromArray(S, src, s + j)).intoArray(dst, d + j);
                }
                if (j < width) {
                    FloatVector.fromArray(S, dst, d + j, tail).add(FloatVector.fromArray(S, src, s + j, tail)).intoArray(dst, d + j, tail);
                }
            }
        }
    }

    @Override
    public void convRow8(float[] w, int wOff, int taps, float[] bias, int biasOff, float[] src, int sOff, int[] tapOff,
                         float[] out, int outOff, int outStride, int width) {
        if (width < L) {
            scalar.convRow8(w, wOff, taps, bias, biasOff, src, sOff, tapOff, out, outOff, outStride, width);
            return;
        }
        // scalar starts, broadcast per chunk pair: no vector is chosen between two values
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        if (bias != null) {
            s0 = bias[biasOff];
            s1 = bias[biasOff + 1];
            s2 = bias[biasOff + 2];
            s3 = bias[biasOff + 3];
            s4 = bias[biasOff + 4];
            s5 = bias[biasOff + 5];
            s6 = bias[biasOff + 6];
            s7 = bias[biasOff + 7];
        }
        int x = 0;
        for (; width - x > L; x += 2 * L) {
            // two chunks of whole vectors; a row's last chunk ends at the row's end, recomputing a few columns
            // (the same bits) instead of a masked store
            int x0 = x;
            int x1 = Math.min(x + L, width - L);
            FloatVector c00 = FloatVector.broadcast(S, s0), c01 = c00, c10 = FloatVector.broadcast(S, s1), c11 = c10;
            FloatVector c20 = FloatVector.broadcast(S, s2), c21 = c20, c30 = FloatVector.broadcast(S, s3), c31 = c30;
            FloatVector c40 = FloatVector.broadcast(S, s4), c41 = c40, c50 = FloatVector.broadcast(S, s5), c51 = c50;
            FloatVector c60 = FloatVector.broadcast(S, s6), c61 = c60, c70 = FloatVector.broadcast(S, s7), c71 = c70;
            for (int t = 0; t < taps; t++) {
                int at = sOff + tapOff[t];
                FloatVector v0 = FloatVector.fromArray(S, src, at + x0);
                FloatVector v1 = FloatVector.fromArray(S, src, at + x1);
                int wt = wOff + t;
                FloatVector a = FloatVector.broadcast(S, w[wt]);
                c00 = a.fma(v0, c00);
                c01 = a.fma(v1, c01);
                a = FloatVector.broadcast(S, w[wt + taps]);
                c10 = a.fma(v0, c10);
                c11 = a.fma(v1, c11);
                a = FloatVector.broadcast(S, w[wt + 2 * taps]);
                c20 = a.fma(v0, c20);
                c21 = a.fma(v1, c21);
                a = FloatVector.broadcast(S, w[wt + 3 * taps]);
                c30 = a.fma(v0, c30);
                c31 = a.fma(v1, c31);
                a = FloatVector.broadcast(S, w[wt + 4 * taps]);
                c40 = a.fma(v0, c40);
                c41 = a.fma(v1, c41);
                a = FloatVector.broadcast(S, w[wt + 5 * taps]);
                c50 = a.fma(v0, c50);
                c51 = a.fma(v1, c51);
                a = FloatVector.broadcast(S, w[wt + 6 * taps]);
                c60 = a.fma(v0, c60);
                c61 = a.fma(v1, c61);
                a = FloatVector.broadcast(S, w[wt + 7 * taps]);
                c70 = a.fma(v0, c70);
                c71 = a.fma(v1, c71);
            }
            int o = outOff;
            c00.intoArray(out, o + x0);
            c01.intoArray(out, o + x1);
            o += outStride;
            c10.intoArray(out, o + x0);
            c11.intoArray(out, o + x1);
            o += outStride;
            c20.intoArray(out, o + x0);
            c21.intoArray(out, o + x1);
            o += outStride;
            c30.intoArray(out, o + x0);
            c31.intoArray(out, o + x1);
            o += outStride;
            c40.intoArray(out, o + x0);
            c41.intoArray(out, o + x1);
            o += outStride;
            c50.intoArray(out, o + x0);
            c51.intoArray(out, o + x1);
            o += outStride;
            c60.intoArray(out, o + x0);
            c61.intoArray(out, o + x1);
            o += outStride;
            c70.intoArray(out, o + x0);
            c71.intoArray(out, o + x1);
        }
        if (x < width) {
            convChunk8(w, wOff, taps, s0, s1, s2, s3, s4, s5, s6, s7, src, sOff, tapOff, out, outOff, outStride,
                    width - L);
        }
    }

    /** {@link #convRow8} for the one chunk of whole vectors at column {@code x0}. */
    private static void convChunk8(float[] w, int wOff, int taps, float s0, float s1, float s2, float s3, float s4,
                                   float s5, float s6, float s7, float[] src, int sOff, int[] tapOff, float[] out,
                                   int outOff, int outStride, int x0) {
        FloatVector c0 = FloatVector.broadcast(S, s0), c1 = FloatVector.broadcast(S, s1);
        FloatVector c2 = FloatVector.broadcast(S, s2), c3 = FloatVector.broadcast(S, s3);
        FloatVector c4 = FloatVector.broadcast(S, s4), c5 = FloatVector.broadcast(S, s5);
        FloatVector c6 = FloatVector.broadcast(S, s6), c7 = FloatVector.broadcast(S, s7);
        for (int t = 0; t < taps; t++) {
            FloatVector v = FloatVector.fromArray(S, src, sOff + tapOff[t] + x0);
            int wt = wOff + t;
            c0 = FloatVector.broadcast(S, w[wt]).fma(v, c0);
            c1 = FloatVector.broadcast(S, w[wt + taps]).fma(v, c1);
            c2 = FloatVector.broadcast(S, w[wt + 2 * taps]).fma(v, c2);
            c3 = FloatVector.broadcast(S, w[wt + 3 * taps]).fma(v, c3);
            c4 = FloatVector.broadcast(S, w[wt + 4 * taps]).fma(v, c4);
            c5 = FloatVector.broadcast(S, w[wt + 5 * taps]).fma(v, c5);
            c6 = FloatVector.broadcast(S, w[wt + 6 * taps]).fma(v, c6);
            c7 = FloatVector.broadcast(S, w[wt + 7 * taps]).fma(v, c7);
        }
        int o = outOff + x0;
        c0.intoArray(out, o);
        c1.intoArray(out, o + outStride);
        c2.intoArray(out, o + 2 * outStride);
        c3.intoArray(out, o + 3 * outStride);
        c4.intoArray(out, o + 4 * outStride);
        c5.intoArray(out, o + 5 * outStride);
        c6.intoArray(out, o + 6 * outStride);
        c7.intoArray(out, o + 7 * outStride);
    }

    @Override
    public void dotTile4x3(float[] g, int[] gOff, int gImg, int gRow, float[] s, int[] sOff, int sImg, int sRow,
                           int images, int rows, int width, float[] acc, int accOff) {
        if (width <= 0 || rows <= 0 || images <= 0) {
            return;
        }
        // A row's last, partial chunk is loaded as the row's last L elements, its lanes already summed masked off,
        // so no load passes the row's end; rows narrower than a vector load from their start instead, and where
        // that would pass the array's end, the same lane sums are computed one lane at a time.
        if (width < L && (!fits(g, gOff, 4, gImg, gRow, images, rows) || !fits(s, sOff, 3, sImg, sRow, images, rows))) {
            dotTileByLanes(g, gOff, gImg, gRow, s, sOff, sImg, sRow, images, rows, width, acc, accOff);
            return;
        }
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a10 = z, a11 = z, a12 = z, a20 = z, a21 = z, a22 = z, a30 = z, a31 = z, a32 = z;
        for (int img = 0; img < images; img++) {
            int gi = img * gImg;
            int si = img * sImg;
            for (int x = 0; x < width; x += L) {
                int at = chunkStart(x, width);
                // the lanes whose columns lie in [x, min(width, x + L)) are this chunk's own; rows run innermost,
                // so the inner loop is long
                VectorMask<Float> m = S.indexInRange(at - x, Math.min(width, x + L) - x);
                int g0 = gOff[0] + gi + at, g1 = gOff[1] + gi + at, g2 = gOff[2] + gi + at, g3 = gOff[3] + gi + at;
                int t0 = sOff[0] + si + at, t1 = sOff[1] + si + at, t2 = sOff[2] + si + at;
                for (int r = 0; r < rows; r++) {
                    int gr = r * gRow;
                    int sr = r * sRow;
                    FloatVector s0 = FloatVector.fromArray(S, s, t0 + sr, m);
                    FloatVector s1 = FloatVector.fromArray(S, s, t1 + sr, m);
                    FloatVector s2 = FloatVector.fromArray(S, s, t2 + sr, m);
                    FloatVector v = FloatVector.fromArray(S, g, g0 + gr, m);
                    a00 = v.fma(s0, a00);
                    a01 = v.fma(s1, a01);
                    a02 = v.fma(s2, a02);
                    v = FloatVector.fromArray(S, g, g1 + gr, m);
                    a10 = v.fma(s0, a10);
                    a11 = v.fma(s1, a11);
                    a12 = v.fma(s2, a12);
                    v = FloatVector.fromArray(S, g, g2 + gr, m);
                    a20 = v.fma(s0, a20);
                    a21 = v.fma(s1, a21);
                    a22 = v.fma(s2, a22);
                    v = FloatVector.fromArray(S, g, g3 + gr, m);
                    a30 = v.fma(s0, a30);
                    a31 = v.fma(s1, a31);
                    a32 = v.fma(s2, a32);
                }
            }
        }
        float[] lanes = new float[12 * L];
        a00.intoArray(lanes, 0);
        a01.intoArray(lanes, L);
        a02.intoArray(lanes, 2 * L);
        a10.intoArray(lanes, 3 * L);
        a11.intoArray(lanes, 4 * L);
        a12.intoArray(lanes, 5 * L);
        a20.intoArray(lanes, 6 * L);
        a21.intoArray(lanes, 7 * L);
        a22.intoArray(lanes, 8 * L);
        a30.intoArray(lanes, 9 * L);
        a31.intoArray(lanes, 10 * L);
        a32.intoArray(lanes, 11 * L);
        addLaneSums(lanes, 12, acc, accOff);
    }

    /** {@code acc[accOff + t] += } the sum of the {@code L} lanes of partial sum {@code t}, in lane order. */
    private static void addLaneSums(float[] lanes, int sums, float[] acc, int accOff) {
        double[] total = new double[sums];
        for (int l = 0; l < L; l++) { // lane-major, so the sums' dependent adds interleave
            for (int t = 0; t < sums; t++) {
                total[t] += lanes[t * L + l];
            }
        }
        for (int t = 0; t < sums; t++) {
            acc[accOff + t] += (float) total[t];
        }
    }

    /** Where the chunk of a row that starts at {@code x} is loaded from: the last chunk ends at the row's end. */
    private static int chunkStart(int x, int width) {
        return x + L <= width || width < L ? x : width - L;
    }

    /** Whether a whole vector from the start of every row the offsets name stays inside {@code a}. */
    private static boolean fits(float[] a, int[] off, int count, int img, int row, int images, int rows) {
        for (int i = 0; i < count; i++) {
            if ((long) off[i] + (long) (images - 1) * img + (long) (rows - 1) * row + L > a.length) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #dotTile4x3}'s lane sums for rows narrower than a vector, one lane at a time: lane {@code l} holds
     * element {@code l} of every row, the lanes past the row add 0 * 0, as the masked loads do: bit for bit.
     */
    private static void dotTileByLanes(float[] g, int[] gOff, int gImg, int gRow, float[] s, int[] sOff, int sImg,
                                       int sRow, int images, int rows, int width, float[] acc, int accOff) {
        float[] part = new float[12 * L];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                int p0 = (i * 3 + j) * L;
                for (int img = 0; img < images; img++) {
                    for (int r = 0; r < rows; r++) {
                        int gr = gOff[i] + img * gImg + r * gRow;
                        int sr = sOff[j] + img * sImg + r * sRow;
                        for (int l = 0; l < L; l++) {
                            part[p0 + l] = l < width ? Math.fma(g[gr + l], s[sr + l], part[p0 + l]) : part[p0 + l] + 0f;
                        }
                    }
                }
            }
        }
        addLaneSums(part, 12, acc, accOff);
    }

    @Override
    public void sumTaps(float[] src, int base, int[] tapOff, int[] tapLo, int[] tapHi, int first, int taps, float[] dst,
                        int dOff, int width, int dEnd) {
        for (int j = 0; j < width; j += L) {
            FloatVector sum = FloatVector.zero(S);
            for (int t = first; t < first + taps; t++) {
                int a = Math.max(tapLo[t] - j, 0);
                int b = Math.min(tapHi[t] - j, L);
                if (a < b) {
                    // lanes [a, b); the others load as 0
                    long lanes = (-1L >>> (64 - (b - a))) << a;
                    sum = sum.add(FloatVector.fromArray(S, src, base + tapOff[t] + j, VectorMask.fromLong(S, lanes)));
                }
            }
            if (dOff + j + L <= dEnd) {
                sum.intoArray(dst, dOff + j); // a masked store of a short row's end measured 5x slower on AMD Zen
            } else {
                sum.intoArray(dst, dOff + j, S.indexInRange(j, width));
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    @Override
    public void maxPool2x2(float[] x, int xOff, int h, int w, float[] out, int outOff, int planes) {
        SimdPool.forward(x, xOff, h, w, out, outOff, planes);
    }

    @Override
    public void maxPool2x2Backward(float[] x, int xOff, int h, int w, float[] gradOut, int gOff, float[] gradIn,
                                   int iOff, int planes) {
        SimdPool.backward(x, xOff, h, w, gradOut, gOff, gradIn, iOff, planes);
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    public int gemmMr() {
        return MR;
    }

    @Override
    public int gemmNr() {
        return NR;
    }

    @Override
    public void gemmMicro(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean accumulate) {
        if (MR == 8) {
            micro8(kc, a, ao, b, bo, c, co, ldc, accumulate);
        } else {
            micro6(kc, a, ao, b, bo, c, co, ldc, accumulate);
        }
    }

    @Override
    public void gemmMicroGatherA(int kc, float[] a, int ao, int[] rowOff, int ro, int[] colOff, int cOff, float[] b, int bo,
                                 float[] c, int co, int ldc, boolean accumulate) {
        if (MR == 8) {
            microGatherA8(kc, a, ao, rowOff, ro, colOff, cOff, b, bo, c, co, ldc, accumulate);
        } else {
            microGatherA6(kc, a, ao, rowOff, ro, colOff, cOff, b, bo, c, co, ldc, accumulate);
        }
    }

    private static void microGatherA8(int kc, float[] a, int ao, int[] rowOff, int ro, int[] colOff, int cOff, float[] b, int bo, float[] c, int co, int ldc, boolean acc) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co);
            c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc);
            c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, co + 7 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        int r0 = ao + rowOff[ro + 0];
        int r1 = ao + rowOff[ro + 1];
        int r2 = ao + rowOff[ro + 2];
        int r3 = ao + rowOff[ro + 3];
        int r4 = ao + rowOff[ro + 4];
        int r5 = ao + rowOff[ro + 5];
        int r6 = ao + rowOff[ro + 6];
        int r7 = ao + rowOff[ro + 7];
        int pb = bo;
        for (int k = 0; k < kc; k++, pb += NR) {
            int col = colOff[cOff + k];
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + col]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + col]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + col]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + col]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + col]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + col]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[r6 + col]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[r7 + col]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
    }

    private static void microGatherA6(int kc, float[] a, int ao, int[] rowOff, int ro, int[] colOff, int cOff, float[] b, int bo, float[] c, int co, int ldc, boolean acc) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co);
            c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc);
            c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        }
        int r0 = ao + rowOff[ro + 0];
        int r1 = ao + rowOff[ro + 1];
        int r2 = ao + rowOff[ro + 2];
        int r3 = ao + rowOff[ro + 3];
        int r4 = ao + rowOff[ro + 4];
        int r5 = ao + rowOff[ro + 5];
        int pb = bo;
        for (int k = 0; k < kc; k++, pb += NR) {
            int col = colOff[cOff + k];
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[r0 + col]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[r1 + col]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[r2 + col]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[r3 + col]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[r4 + col]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[r5 + col]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    private static void micro8(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean acc) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co);
            c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc);
            c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, co + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, co + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, co + 7 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
        }
        int pa = ao;
        int pb = bo;
        for (int k = 0; k < kc; k++, pa += 8, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[pa + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[pa + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
    }

    private static void micro6(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean acc) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (acc) {
            c00 = FloatVector.fromArray(S, c, co);
            c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc);
            c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L);
        } else {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        }
        int pa = ao;
        int pb = bo;
        for (int k = 0; k < kc; k++, pa += 6, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, pb);
            FloatVector b1 = FloatVector.fromArray(S, b, pb + L);
            FloatVector a0 = FloatVector.broadcast(S, a[pa]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[pa + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[pa + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[pa + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[pa + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[pa + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    // ------------------------------------------------------------------ constants and helpers

    /** Two vectors' worth of scratch per thread for {@link #dot}'s tail. */
    private static final ThreadLocal<float[][]> TAIL = ThreadLocal.withInitial(() -> new float[2][L]);

    private static FloatVector load(float[] a, int off) {
        return FloatVector.fromArray(S, a, off);
    }

    private static FloatVector load(float[] a, int off, VectorMask<Float> m) {
        return FloatVector.fromArray(S, a, off, m);
    }

    private static final int SIGN_BIT = 0x80000000;
    private static final float TWO_23 = 8388608f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = 0x4B400000;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187e-6f;
    /**
     * expm1(r)/r = 1 + E1 r + ... + E6 r^6 on [-ln2/2, ln2/2]: a least-squares fit on Chebyshev nodes,
     * relative error ~2e-10. e^r = 1 + r P(r) and expm1(r) = r P(r).
     */
    private static final float E1 = 0.5f;
    private static final float E2 = 0.16666666f;
    private static final float E3 = 0.041666355f;
    private static final float E4 = 0.008333403f;
    private static final float E5 = 0.0013941035f;
    private static final float E6 = 0.00019841251f;
}
