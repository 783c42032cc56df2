package dev.nabla.cpu.kernels;

import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;

import java.util.Arrays;

/** Plain-Java FLOAT32 kernels: the reference the SIMD kernels are tested against, and the fallback. */
public final class ScalarFloatKernels implements FloatKernels {
    static final int MR = 4;
    static final int NR = 16;

    @Override
    public String description() {
        return "scalar kernels (add --add-modules jdk.incubator.vector for SIMD)";
    }

    @Override
    public boolean isSimd() {
        return false;
    }

    @Override
    public void unary(UnaryOp op, float[] x, int xo, float[] out, int oo, int n, float alpha) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i] = -x[xo + i]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i] = Math.abs(x[xo + i]); }
            case SIGN -> { for (int i = 0; i < n; i++) out[oo + i] = Math.signum(x[xo + i]); }
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.exp(x[xo + i]); }
            case EXPM1 -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.expm1(x[xo + i]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log(x[xo + i]); }
            case LOG1P -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log1p(x[xo + i]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.sqrt(x[xo + i]); }
            case RSQRT -> { for (int i = 0; i < n; i++) out[oo + i] = (float) (1.0 / Math.sqrt(x[xo + i])); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) out[oo + i] = 1f / x[xo + i]; }
            case SIN -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.sin(x[xo + i]); }
            case COS -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.cos(x[xo + i]); }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.tanh(x[xo + i]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) out[oo + i] = ScalarMath.sigmoid(x[xo + i]); }
            case ERF -> { for (int i = 0; i < n; i++) out[oo + i] = ScalarMath.erf(x[xo + i]); }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(x[xo + i], 0f); }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    float v = x[xo + i];
                    out[oo + i] = v > 0 ? v : alpha * v;
                }
            }
            case FLOOR -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.floor(x[xo + i]); }
            case CEIL -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.ceil(x[xo + i]); }
            case ROUND -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.rint(x[xo + i]); }
            default -> throw unsupported(op);
        }
    }

    @Override
    public void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i]; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.pow(a[ao + i], b[bo + i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b[bo + i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b[bo + i]); }
            default -> throw unsupported(op);
        }
    }

    @Override
    public void binaryVS(BinaryOp op, float[] a, int ao, float b, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] / b; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.pow(a[ao + i], b); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a[ao + i], b); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a[ao + i], b); }
            default -> throw unsupported(op);
        }
    }

    @Override
    public void binarySV(BinaryOp op, float a, float[] b, int bo, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a * b[bo + i]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i] = a / b[bo + i]; }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i] = (float) Math.pow(a, b[bo + i]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.max(a, b[bo + i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i] = Math.min(a, b[bo + i]); }
            default -> throw unsupported(op);
        }
    }

    @Override
    public void compare(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] out, int oo, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++, ao += as, bo += bs) out[oo + i] = a[ao] == b[bo]; }
            case NE -> { for (int i = 0; i < n; i++, ao += as, bo += bs) out[oo + i] = a[ao] != b[bo]; }
            case LT -> { for (int i = 0; i < n; i++, ao += as, bo += bs) out[oo + i] = a[ao] < b[bo]; }
            case LE -> { for (int i = 0; i < n; i++, ao += as, bo += bs) out[oo + i] = a[ao] <= b[bo]; }
            case GT -> { for (int i = 0; i < n; i++, ao += as, bo += bs) out[oo + i] = a[ao] > b[bo]; }
            case GE -> { for (int i = 0; i < n; i++, ao += as, bo += bs) out[oo + i] = a[ao] >= b[bo]; }
            default -> throw unsupported(op);
        }
    }

    @Override
    public void where(boolean[] c, int co, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++, ao += as, bo += bs) {
            out[oo + i] = c[co + i] ? a[ao] : b[bo];
        }
    }

    @Override
    public double sum(float[] x, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += x[off + i];
            s1 += x[off + i + 1];
            s2 += x[off + i + 2];
            s3 += x[off + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[off + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float max(float[] x, int off, int n) {
        float m = x[off];
        for (int i = 1; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    public float min(float[] x, int off, int n) {
        float m = x[off];
        for (int i = 1; i < n; i++) {
            m = Math.min(m, x[off + i]);
        }
        return m;
    }

    @Override
    public double prod(float[] x, int off, int n) {
        double p = 1;
        for (int i = 0; i < n; i++) {
            p *= x[off + i];
        }
        return p;
    }

    @Override
    public int dotInt8(byte[] a, int ao, byte[] b, int bo, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 2 <= n; i += 2) {
            s0 += (double) a[ao + i] * b[bo + i];
            s1 += (double) a[ao + i + 1] * b[bo + i + 1];
        }
        for (; i < n; i++) {
            s0 += (double) a[ao + i] * b[bo + i];
        }
        return (float) (s0 + s1);
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        }
    }

    @Override
    public void gather(float[] src, int base, int[] index, int io, float[] dst, int d, int n) {
        for (int i = 0; i < n; i++) {
            dst[d + i] = src[base + index[io + i]];
        }
    }

    @Override
    public double sumSquaredDeviations(float[] x, int off, int n, float center) {
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 2 <= n; i += 2) {
            float d0 = x[off + i] - center;
            float d1 = x[off + i + 1] - center;
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        for (; i < n; i++) {
            float d = x[off + i] - center;
            s0 += d * d;
        }
        return s0 + s1;
    }

    @Override
    public void sumAndCenteredDot(float[] g, int go, float[] x, int xo, int n, float center, double[] acc) {
        double sum = 0, dot = 0;
        for (int i = 0; i < n; i++) {
            float gi = g[go + i];
            sum += gi;
            dot += gi * (x[xo + i] - center);
        }
        acc[0] += sum;
        acc[1] += dot;
    }

    @Override
    public void scaleShift(float[] x, int xo, float scale, float shift, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            out[oo + i] = Math.fma(x[xo + i], scale, shift);
        }
    }

    @Override
    public void batchNormInputGradient(float[] g, int go, float[] x, int xo, float mean, float proj, float meanG,
                                       float scale, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            out[oo + i] = (g[go + i] - Math.fma(x[xo + i] - mean, proj, meanG)) * scale;
        }
    }

    @Override
    public void reluBackward(float[] g, int go, float[] x, int xo, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            out[oo + i] = x[xo + i] > 0 ? g[go + i] : 0f;
        }
    }

    @Override
    public void adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, float decay,
                     boolean coupled, float wd, float b1, float c1, float b2, float c2, float sqrtBc2, float eps,
                     float stepScale) {
        for (int i = 0; i < n; i++) {
            float pi = p[po + i] * decay;
            float gi = coupled ? g[go + i] + pi * wd : g[go + i];
            float mi = m[mo + i] * b1 + gi * c1;
            float vi = v[vo + i] * b2 + (gi * gi) * c2;
            m[mo + i] = mi;
            v[vo + i] = vi;
            p[po + i] = pi + (mi / ((float) Math.sqrt(vi) / sqrtBc2 + eps)) * stepScale;
        }
    }

    @Override
    public void packSliver(float[] src, int base, int[] rowOff, int roOff, int kc, int width, float[] dst, int dOff) {
        int nr = gemmNr();
        for (int k = 0; k < kc; k++) {
            int s = base + rowOff[roOff + k];
            int d = dOff + k * nr;
            System.arraycopy(src, s, dst, d, width);
            for (int j = width; j < nr; j++) {
                dst[d + j] = 0f;
            }
        }
    }

    @Override
    public void copy2d(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, sOff + r * sStride, dst, dOff + r * dStride, width);
        }
    }

    @Override
    public void add2d(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int s = sOff + r * sStride;
            int d = dOff + r * dStride;
            for (int j = 0; j < width; j++) {
                dst[d + j] += src[s + j];
            }
        }
    }

    @Override
    public void convRow8(float[] w, int wOff, int taps, float[] bias, int biasOff, float[] src, int sOff, int[] tapOff,
                         float[] out, int outOff, int outStride, int width) {
        for (int i = 0; i < 8; i++) {
            float start = bias == null ? 0f : bias[biasOff + i];
            int wRow = wOff + i * taps;
            for (int x = 0; x < width; x++) {
                float acc = start;
                for (int t = 0; t < taps; t++) {
                    acc = Math.fma(w[wRow + t], src[sOff + tapOff[t] + x], acc);
                }
                out[outOff + i * outStride + x] = acc;
            }
        }
    }

    @Override
    public void dotTile4x3(float[] g, int[] gOff, int gImg, int gRow, float[] s, int[] sOff, int sImg, int sRow,
                           int images, int rows, int width, float[] acc, int accOff) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                float sum = 0f;
                for (int img = 0; img < images; img++) {
                    for (int r = 0; r < rows; r++) {
                        int gr = gOff[i] + img * gImg + r * gRow;
                        int sr = sOff[j] + img * sImg + r * sRow;
                        for (int x = 0; x < width; x++) {
                            sum = Math.fma(g[gr + x], s[sr + x], sum);
                        }
                    }
                }
                acc[accOff + i * 3 + j] += sum;
            }
        }
    }

    @Override
    public void sumTaps(float[] src, int base, int[] tapOff, int[] tapLo, int[] tapHi, int first, int taps, float[] dst,
                        int dOff, int width, int dEnd) {
        Arrays.fill(dst, dOff, dOff + width, 0f);
        for (int t = first; t < first + taps; t++) {
            int s = base + tapOff[t];
            for (int x = tapLo[t]; x < tapHi[t]; x++) {
                dst[dOff + x] += src[s + x];
            }
        }
    }

    @Override
    public void maxPool2x2(float[] x, int xOff, int h, int w, float[] out, int outOff, int planes) {
        PoolRows.forward(x, xOff, h, w, out, outOff, planes);
    }

    @Override
    public void maxPool2x2Backward(float[] x, int xOff, int h, int w, float[] gradOut, int gOff, float[] gradIn,
                                   int iOff, int planes) {
        PoolRows.backward(x, xOff, h, w, gradOut, gOff, gradIn, iOff, planes);
    }

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
        float[] acc = new float[MR * NR];
        if (accumulate) {
            for (int i = 0; i < MR; i++) {
                System.arraycopy(c, co + i * ldc, acc, i * NR, NR);
            }
        }
        for (int k = 0; k < kc; k++) {
            int ak = ao + k * MR;
            int bk = bo + k * NR;
            for (int i = 0; i < MR; i++) {
                float ai = a[ak + i];
                int r = i * NR;
                for (int j = 0; j < NR; j++) {
                    acc[r + j] = Math.fma(ai, b[bk + j], acc[r + j]);
                }
            }
        }
        for (int i = 0; i < MR; i++) {
            System.arraycopy(acc, i * NR, c, co + i * ldc, NR);
        }
    }

    @Override
    public void gemmMicroGatherA(int kc, float[] a, int ao, int[] rowOff, int ro, int[] colOff, int cOff, float[] b, int bo,
                                 float[] c, int co, int ldc, boolean accumulate) {
        float[] acc = new float[MR * NR];
        if (accumulate) {
            for (int i = 0; i < MR; i++) {
                System.arraycopy(c, co + i * ldc, acc, i * NR, NR);
            }
        }
        for (int k = 0; k < kc; k++) {
            int col = ao + colOff[cOff + k];
            int bk = bo + k * NR;
            for (int i = 0; i < MR; i++) {
                float ai = a[col + rowOff[ro + i]];
                int r = i * NR;
                for (int j = 0; j < NR; j++) {
                    acc[r + j] = Math.fma(ai, b[bk + j], acc[r + j]);
                }
            }
        }
        for (int i = 0; i < MR; i++) {
            System.arraycopy(acc, i * NR, c, co + i * ldc, NR);
        }
    }

    static UnsupportedOperationException unsupported(Enum<?> op) {
        return new UnsupportedOperationException(op + " is not a FLOAT32 kernel");
    }
}
