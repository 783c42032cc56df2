package dev.nabla.cpu.kernels;

import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;

/**
 * Flat FLOAT32 kernels over contiguous ranges {@code (array, offset, length)}. Two implementations exist:
 * {@link ScalarFloatKernels} (plain Java) and {@code SimdFloatKernels} (Vector API), chosen once by
 * {@link Kernels}. All kernels tolerate an output that aliases an input element-for-element.
 *
 * <p>Binary kernels implement ADD, SUB, MUL, DIV, POW, MAXIMUM and MINIMUM (MAXIMUM/MINIMUM propagate
 * NaN). Unary kernels implement every {@link UnaryOp} except LOGICAL_NOT.
 */
public interface FloatKernels {
    /** Human-readable description, e.g. {@code "SIMD: 512-bit (jdk.incubator.vector)"}. */
    String description();

    /** True for the Vector API implementation. */
    boolean isSimd();

    void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n, float alpha);

    /** {@code out[i] = a[i] op b[i]}. */
    void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);

    /** {@code out[i] = a[i] op b}. */
    void binaryVS(BinaryOp op, float[] a, int aOff, float b, float[] out, int outOff, int n);

    /** {@code out[i] = a op b[i]}. */
    void binarySV(BinaryOp op, float a, float[] b, int bOff, float[] out, int outOff, int n);

    /**
     * Comparison EQ, NE, LT, LE, GT or GE: {@code out[i] = a[i*as] op b[i*bs]} where each of {@code as},
     * {@code bs} is 1 (a contiguous range) or 0 (one broadcast value).
     */
    void compare(BinaryOp op, float[] a, int aOff, int as, float[] b, int bOff, int bs, boolean[] out, int outOff, int n);

    /** {@code out[i] = c[i] ? a[i*as] : b[i*bs]} with {@code as}, {@code bs} each 1 or 0 (broadcast). */
    void where(boolean[] c, int cOff, float[] a, int aOff, int as, float[] b, int bOff, int bs, float[] out, int outOff, int n);

    /** Sum of {@code x[off .. off+n)}, blocked for accuracy; 0 for n = 0. */
    double sum(float[] x, int off, int n);

    /** Maximum (NaN if any element is NaN); n >= 1. */
    float max(float[] x, int off, int n);

    /** Minimum (NaN if any element is NaN); n >= 1. */
    float min(float[] x, int off, int n);

    /** Product accumulated in double. */
    double prod(float[] x, int off, int n);

    /** Dot product of two contiguous ranges. */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * Integer dot product of two int8 ranges, summed in int32 (exact, so every implementation gives the same
     * result): the inner loop of quantized layers.
     */
    int dotInt8(byte[] a, int aOff, byte[] b, int bOff, int n);

    /** {@code y[i] = fma(alpha, x[i], y[i])}: the same rounding in every implementation. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code dst[dstOff + i] = src[base + index[indexOff + i]]} for {@code i < n} (an exact copy). */
    void gather(float[] src, int base, int[] index, int indexOff, float[] dst, int dstOff, int n);

    /** {@code out[i] = x[i] > 0 ? g[i] : 0} (0 for a NaN input): ReLU's gradient. */
    void reluBackward(float[] g, int go, float[] x, int xo, float[] out, int oo, int n);

    /**
     * {@code sum of (x[i] - center)^2} over {@code x[off .. off+n)}, accumulated like {@link #sum}: with
     * {@code center} near the mean, the numerically stable second pass of a variance.
     */
    double sumSquaredDeviations(float[] x, int off, int n, float center);

    /**
     * Adds {@code sum of g[i]} to {@code acc[0]} and {@code sum of g[i] * (x[i] - center)} to {@code acc[1]}, over
     * {@code n} elements: the two sums of a batch norm's backward pass, from one read of both ranges.
     */
    void sumAndCenteredDot(float[] g, int go, float[] x, int xo, int n, float center, double[] acc);

    /** {@code out[i] = fma(x[i], scale, shift)}: a batch norm's output. Same bits in every implementation. */
    void scaleShift(float[] x, int xo, float scale, float shift, float[] out, int oo, int n);

    /**
     * {@code out[i] = (g[i] - fma(x[i] - mean, proj, meanG)) * scale}: a batch norm's input gradient in training
     * mode. Same bits in every implementation.
     */
    void batchNormInputGradient(float[] g, int go, float[] x, int xo, float mean, float proj, float meanG,
                                float scale, float[] out, int oo, int n);

    /**
     * One Adam update of {@code n} contiguous elements, op for op (no FMA) like the composite update in core:
     * {@code p *= decay}; {@code g' = coupled ? g + p * wd : g}; {@code m = m * b1 + g' * c1};
     * {@code v = v * b2 + (g' * g') * c2}; {@code p += (m / (sqrt(v) / sqrtBc2 + eps)) * stepScale}.
     */
    void adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, float decay,
              boolean coupled, float wd, float b1, float c1, float b2, float c2, float sqrtBc2, float eps, float stepScale);

    /**
     * Packs one GEMM B sliver: {@code dst[dOff + k * NR + j] = src[base + rowOff[roOff + k] + j]} for {@code j < width},
     * and 0 for {@code width <= j < NR}, for each of the {@code kc} rows.
     */
    void packSliver(float[] src, int base, int[] rowOff, int roOff, int kc, int width, float[] dst, int dOff);

    /** Copies {@code rows} rows of {@code width} elements between row-strided places. */
    void copy2d(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int width);

    /** {@code dst[dOff + r*dStride + j] += src[sOff + r*sStride + j]} for {@code r < rows, j < width}, row by row. */
    void add2d(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int width);

    /**
     * One row of a gather-form col2im: {@code dst[dOff + x] = sum over t of src[base + tapOff[t] + x]}, over the taps
     * {@code t = first .. first + taps - 1} in that order, each only for {@code tapLo[t] <= x < tapHi[t]}, starting
     * from 0; for {@code x < width}. So every element is summed in registers and stored once. The elements from
     * {@code dOff + width} up to {@code dEnd} (exclusive) may be overwritten with anything: the caller writes them
     * later (this spares a slow masked store at the row's end).
     */
    void sumTaps(float[] src, int base, int[] tapOff, int[] tapLo, int[] tapHi, int first, int taps, float[] dst,
                 int dOff, int width, int dEnd);

    /**
     * One output row of a stride-1 convolution with few taps, for 8 output channels at once: for {@code i < 8} and
     * {@code x < width}, {@code out[outOff + i*outStride + x]} is the FMA chain that starts at {@code bias[biasOff + i]}
     * (0 without bias) and adds {@code w[wOff + i*taps + t] * src[sOff + tapOff[t] + x]} for {@code t = 0 .. taps-1}
     * in order: the same chain as the GEMM path's, so the same bits.
     */
    void convRow8(float[] w, int wOff, int taps, float[] bias, int biasOff, float[] src, int sOff, int[] tapOff,
                  float[] out, int outOff, int outStride, int width);

    /**
     * Twelve dot products over the same window, for a backward filter with few taps: for {@code i < 4, j < 3},
     * {@code acc[accOff + i * 3 + j] += sum of g[gOff[i] + img * gImg + r * gRow + x] * s[sOff[j] + img * sImg + r * sRow + x]}
     * over {@code img < images, r < rows, x < width}. Each sum runs in an order fixed by the arguments and the
     * kernel set (the vector kernels keep one partial sum per lane and add the lanes in order), never by threads.
     */
    void dotTile4x3(float[] g, int[] gOff, int gImg, int gRow, float[] s, int[] sOff, int sImg, int sRow, int images,
                    int rows, int width, float[] acc, int accOff);

    /**
     * 2x2, stride-2 max pooling of {@code planes} consecutive {@code h x w} planes into {@code (h/2) x (w/2)}
     * planes (an odd last row or column is in no window). NaN propagates, like {@link Math#max}.
     */
    void maxPool2x2(float[] x, int xOff, int h, int w, float[] out, int outOff, int planes);

    /**
     * The gradient of {@link #maxPool2x2}: writes every element of the {@code planes} {@code h x w} planes of
     * {@code gradIn}, each window's gradient at the window's first maximum in row-major order (its first NaN if
     * it has one) and 0 elsewhere.
     */
    void maxPool2x2Backward(float[] x, int xOff, int h, int w, float[] gradOut, int gOff, float[] gradIn, int iOff,
                            int planes);

    /** Rows of the GEMM micro-tile. */
    int gemmMr();

    /** Columns of the GEMM micro-tile. */
    int gemmNr();

    /**
     * GEMM micro-kernel: {@code C[MR x NR] (+)= A~ * B~} where {@code a} holds {@code kc} columns of MR
     * values (packed A sliver) and {@code b} holds {@code kc} rows of NR values (packed B sliver). Each
     * element is one fused multiply-add chain over k in increasing order, starting from 0 or, when
     * {@code accumulate}, from the value in C; so a product split into K slices rounds exactly like one
     * FMA chain over all of K. C is row-major with row stride {@code ldc}.
     */
    void gemmMicro(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * {@link #gemmMicro} with A read in place instead of from a packed sliver:
     * {@code A[i][k] = a[aOff + rowOff[roOff + i] + colOff[colOffOff + k]]} for the MR rows {@code i}. Rounds exactly
     * like {@link #gemmMicro}.
     */
    void gemmMicroGatherA(int kc, float[] a, int aOff, int[] rowOff, int roOff, int[] colOff, int colOffOff, float[] b,
                          int bOff, float[] c, int cOff, int ldc, boolean accumulate);
}
