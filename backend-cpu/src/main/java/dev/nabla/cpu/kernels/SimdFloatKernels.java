package dev.nabla.cpu.kernels;

import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * FLOAT32 kernels on the incubating Vector API, with {@link FloatVector#SPECIES_PREFERRED}. This is the
 * only class that links against {@code jdk.incubator.vector}; {@link Kernels} loads it by name.
 *
 * <p>Loops run whole vectors and then one masked vector for the tail, so every element goes through
 * the same formula whatever its position. Transcendentals are polynomial approximations written here
 * (a few ulp), not the Vector API's math operators, whose speed depends on the platform. SIN, COS and
 * POW (except {@code x^2}) fall back to the scalar definitions.
 */
public final class SimdFloatKernels implements FloatKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
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
        int bound = S.loopBound(n);
        int i = 0;
        switch (op) {
            case NEG -> {
                for (; i < bound; i += L) load(x, xo + i).neg().intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(x, xo + i, m).neg().intoArray(out, oo + i, m); }
            }
            case ABS -> {
                for (; i < bound; i += L) load(x, xo + i).abs().intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(x, xo + i, m).abs().intoArray(out, oo + i, m); }
            }
            case SIGN -> {
                for (; i < bound; i += L) sign(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); sign(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case EXP -> {
                for (; i < bound; i += L) exp(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); exp(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case EXPM1 -> {
                for (; i < bound; i += L) expm1(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); expm1(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case LOG -> {
                for (; i < bound; i += L) log(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); log(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case LOG1P -> {
                for (; i < bound; i += L) log1p(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); log1p(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case SQRT -> {
                for (; i < bound; i += L) load(x, xo + i).sqrt().intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(x, xo + i, m).sqrt().intoArray(out, oo + i, m); }
            }
            case RSQRT -> {
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += L) one.div(load(x, xo + i).sqrt()).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); one.div(load(x, xo + i, m).sqrt()).intoArray(out, oo + i, m); }
            }
            case RECIPROCAL -> {
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += L) one.div(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); one.div(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case TANH -> {
                for (; i < bound; i += L) tanh(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); tanh(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case SIGMOID -> {
                for (; i < bound; i += L) sigmoid(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); sigmoid(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case ERF -> {
                for (; i < bound; i += L) erf(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); erf(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case RELU -> {
                for (; i < bound; i += L) load(x, xo + i).max(0f).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(x, xo + i, m).max(0f).intoArray(out, oo + i, m); }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) leakyRelu(load(x, xo + i), alpha).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); leakyRelu(load(x, xo + i, m), alpha).intoArray(out, oo + i, m); }
            }
            case FLOOR -> {
                for (; i < bound; i += L) floor(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); floor(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case CEIL -> {
                for (; i < bound; i += L) ceil(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); ceil(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case ROUND -> {
                for (; i < bound; i += L) rint(load(x, xo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); rint(load(x, xo + i, m)).intoArray(out, oo + i, m); }
            }
            case SIN, COS -> scalar.unary(op, x, xo, out, oo, n, alpha);
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    // ------------------------------------------------------------------ binary

    @Override
    public void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) load(a, ao + i).add(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).add(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case SUB -> {
                for (; i < bound; i += L) load(a, ao + i).sub(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).sub(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case MUL -> {
                for (; i < bound; i += L) load(a, ao + i).mul(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).mul(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case DIV -> {
                for (; i < bound; i += L) load(a, ao + i).div(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).div(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case MAXIMUM -> {
                for (; i < bound; i += L) load(a, ao + i).max(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).max(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case MINIMUM -> {
                for (; i < bound; i += L) load(a, ao + i).min(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).min(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case POW -> scalar.binary(op, a, ao, b, bo, out, oo, n);
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    @Override
    public void binaryVS(BinaryOp op, float[] a, int ao, float b, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        FloatVector vb = FloatVector.broadcast(S, b);
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) load(a, ao + i).add(vb).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).add(vb).intoArray(out, oo + i, m); }
            }
            case SUB -> {
                for (; i < bound; i += L) load(a, ao + i).sub(vb).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).sub(vb).intoArray(out, oo + i, m); }
            }
            case MUL -> {
                for (; i < bound; i += L) load(a, ao + i).mul(vb).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).mul(vb).intoArray(out, oo + i, m); }
            }
            case DIV -> {
                for (; i < bound; i += L) load(a, ao + i).div(vb).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).div(vb).intoArray(out, oo + i, m); }
            }
            case MAXIMUM -> {
                for (; i < bound; i += L) load(a, ao + i).max(vb).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).max(vb).intoArray(out, oo + i, m); }
            }
            case MINIMUM -> {
                for (; i < bound; i += L) load(a, ao + i).min(vb).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); load(a, ao + i, m).min(vb).intoArray(out, oo + i, m); }
            }
            case POW -> {
                if (b == 2f) {
                    for (; i < bound; i += L) { var v = load(a, ao + i); v.mul(v).intoArray(out, oo + i); }
                    if (i < n) { var m = S.indexInRange(i, n); var v = load(a, ao + i, m); v.mul(v).intoArray(out, oo + i, m); }
                } else {
                    scalar.binaryVS(op, a, ao, b, out, oo, n);
                }
            }
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    @Override
    public void binarySV(BinaryOp op, float a, float[] b, int bo, float[] out, int oo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, a);
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) va.add(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); va.add(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case SUB -> {
                for (; i < bound; i += L) va.sub(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); va.sub(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case MUL -> {
                for (; i < bound; i += L) va.mul(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); va.mul(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case DIV -> {
                for (; i < bound; i += L) va.div(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); va.div(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case MAXIMUM -> {
                for (; i < bound; i += L) va.max(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); va.max(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case MINIMUM -> {
                for (; i < bound; i += L) va.min(load(b, bo + i)).intoArray(out, oo + i);
                if (i < n) { var m = S.indexInRange(i, n); va.min(load(b, bo + i, m)).intoArray(out, oo + i, m); }
            }
            case POW -> scalar.binarySV(op, a, b, bo, out, oo, n);
            default -> throw ScalarFloatKernels.unsupported(op);
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public double sum(float[] x, int off, int n) {
        double total = 0;
        float[] lanes = new float[L];
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
            s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
            total += laneSum(lanes);
        }
        return total;
    }

    private static double laneSum(float[] lanes) {
        double s = 0;
        for (float v : lanes) {
            s += v;
        }
        return s;
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
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        double total = 0;
        float[] lanes = new float[L];
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
                var m = S.indexInRange(i, len);
                s1 = load(a, pa + i, m).fma(load(b, pb + i, m), s1);
            }
            s0.add(s1).add(s2.add(s3)).intoArray(lanes, 0);
            total += laneSum(lanes);
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

    // ------------------------------------------------------------------ vector math

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

    /** Copies the sign bit of {@code from} onto {@code magnitude} (assumed non-negative). */
    private static FloatVector withSignOf(FloatVector magnitude, FloatVector from) {
        return magnitude.reinterpretAsInts()
                .or(from.reinterpretAsInts().and(SIGN_BIT))
                .reinterpretAsFloats();
    }

    static FloatVector sign(FloatVector v) {
        return v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f));
    }

    static FloatVector leakyRelu(FloatVector v, float alpha) {
        return v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f));
    }

    /** Round half to even, like {@link Math#rint}. */
    static FloatVector rint(FloatVector v) {
        FloatVector a = v.abs();
        VectorMask<Float> small = a.compare(VectorOperators.LT, TWO_23);
        FloatVector r = withSignOf(a.add(TWO_23).sub(TWO_23), v);
        return v.blend(r, small);
    }

    static FloatVector floor(FloatVector v) {
        FloatVector a = v.abs();
        VectorMask<Float> small = a.compare(VectorOperators.LT, TWO_23);
        FloatVector r = withSignOf(a.add(TWO_23).sub(TWO_23), v);
        r = r.blend(r.sub(1f), r.compare(VectorOperators.GT, v));
        return v.blend(withSignOf(r.abs(), v), small);
    }

    static FloatVector ceil(FloatVector v) {
        FloatVector a = v.abs();
        VectorMask<Float> small = a.compare(VectorOperators.LT, TWO_23);
        FloatVector r = withSignOf(a.add(TWO_23).sub(TWO_23), v);
        r = r.blend(r.add(1f), r.compare(VectorOperators.LT, v));
        return v.blend(withSignOf(r.abs(), v), small);
    }

    /** expm1(r)/r on [-ln2/2, ln2/2] (least-squares fit, relative error ~2e-10), Horner form. */
    private static FloatVector expm1OverX(FloatVector r) {
        FloatVector p = r.fma(0.00019841251f, 0.0013941035f);
        p = p.fma(r, FloatVector.broadcast(S, 0.008333403f));
        p = p.fma(r, FloatVector.broadcast(S, 0.041666355f));
        p = p.fma(r, FloatVector.broadcast(S, 0.16666666f));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        return p.fma(r, FloatVector.broadcast(S, 1f));
    }

    /** e^x: x = n ln2 + r, e^x = 2^n (1 + r P(r)); 2^n applied in two halves so subnormal results work. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-104f).min(88.8f);
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector e = r.fma(expm1OverX(r), FloatVector.broadcast(S, 1f));
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return e.mul(s1).mul(s2);
    }

    /** e^x - 1 without cancellation near 0: 2^n expm1(r) + (2^n - 1) for small n, e^x form for large n. */
    static FloatVector expm1(FloatVector x) {
        FloatVector xc = x.max(-30f).min(88.8f);
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        IntVector ni = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector em = r.mul(expm1OverX(r));
        // small n (|n| <= 24): 2^n is a normal float and 2^n - 1 is exact enough
        IntVector nSmall = ni.min(24);
        FloatVector s = nSmall.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector small = s.fma(em, s.sub(1f));
        // large n: (1 + em) 2^n, with 2^n in two halves
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector large = em.add(1f).mul(s1).mul(s2);
        return small.blend(large, n.compare(VectorOperators.GT, 24f));
    }

    /**
     * Natural log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f),
     * log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) with R the atanh series 2z/3 + 2z^2/5 + 2z^3/7 + 2z^4/9.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(TWO_23), subnormal);
        IntVector bits = xs.reinterpretAsInts().add(0x3f800000 - 0x3f3504f3);
        IntVector k = bits.lanewise(VectorOperators.ASHR, 23).sub(127);
        FloatVector m = bits.and(0x007fffff).add(0x3f3504f3).reinterpretAsFloats();
        FloatVector e = (FloatVector) k.convert(VectorOperators.I2F, 0);
        e = e.blend(e.sub(23f), subnormal);
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        FloatVector rz = z.fma(2f / 9f, 2f / 7f);
        rz = rz.fma(z, FloatVector.broadcast(S, 2f / 5f));
        rz = rz.fma(z, FloatVector.broadcast(S, 2f / 3f));
        rz = rz.mul(z);
        FloatVector hfsq = f.mul(f).mul(0.5f);
        FloatVector lo = s.fma(hfsq.add(rz), e.mul(LN2_LO));
        FloatVector r = e.fma(FloatVector.broadcast(S, LN2_HI), hfsq.sub(lo).sub(f).neg());
        r = r.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        r = r.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        // +Inf and NaN map to themselves
        return r.blend(x, x.compare(VectorOperators.LT, Float.POSITIVE_INFINITY).not()
                .and(x.compare(VectorOperators.LT, 0f).not()));
    }

    /** log(1 + x) as log(u) - ((u - 1) - x) / u with u = 1 + x, which cancels the rounding of u. */
    static FloatVector log1p(FloatVector x) {
        FloatVector u = x.add(1f);
        FloatVector lu = log(u);
        FloatVector corr = u.sub(1f).sub(x).div(u);
        VectorMask<Float> finitePositive = u.compare(VectorOperators.GT, 0f)
                .and(u.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
        return lu.blend(lu.sub(corr), finitePositive);
    }

    /** tanh(x) = sign(x) e / (e + 2) with e = expm1(2|x|); |x| is clamped at 9, where tanh is 1 in float. */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs().min(9f);
        FloatVector e = expm1(a.add(a));
        return withSignOf(e.div(e.add(2f)), x);
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return one.div(one.add(exp(x.neg())));
    }

    /**
     * erf: below 1, x P(x^2) (degree 6 in x^2); from 1 to 4, 1 - exp(-x^2) Q(1/x) (degree 8); 1 beyond.
     * Coefficients are least-squares fits on Chebyshev nodes (relative error of the fit ~1e-9 and ~7e-8).
     */
    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
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
        FloatVector large = FloatVector.broadcast(S, 1f).sub(exp(al.mul(al).neg()).mul(q));
        large = large.blend(1f, a.compare(VectorOperators.GE, 4f));
        FloatVector r = small.blend(large, a.compare(VectorOperators.GE, 1f));
        // NaN stays NaN (a >= 1 is false for NaN, and a * p is NaN)
        return withSignOf(r, x);
    }
}
