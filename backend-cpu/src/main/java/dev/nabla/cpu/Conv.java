package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.Operand;
import dev.nabla.spi.UnaryOp;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.nabla.cpu.Elementwise.buf;

/**
 * FLOAT32 2-D convolution as implicit GEMM on the GEMM micro-kernel of {@link FloatKernels}: the
 * packing routines read the (zero-padded) image directly into the micro-kernel's B slivers, so no
 * im2col matrix is ever built.
 * <ul>
 *   <li>Forward: per image and group, {@code out[m, q] = sum_k W[m, k] X[k, q]} with {@code k = (c, kh, kw)}.
 *       For stride 1 the columns {@code q} run over the padded width ({@code q = oh * Wp + ow}), so every
 *       row of X is a contiguous run of the padded image; the extra columns are computed and dropped.
 *       Other strides gather each column through an offset table and write the output directly. With
 *       stride 1 and few taps per filter (a first layer), each output row is computed directly instead.</li>
 *   <li>Backward data: with 8 to 256 output channels per group, a GEMM into per-image columns
 *       ({@code W^T gradOut}) and then col2im, which for stride 1 sums each gradIn row's taps in registers and
 *       otherwise adds the tap rows into gradIn; with fewer channels, a stride-1 forward convolution of the
 *       zero-dilated, zero-padded output gradient with the flipped, transposed weights.</li>
 *   <li>Backward filter: {@code gradW[m, k] = sum_n sum_p gradOut[n, m, p] X_n[k, p]} with B slivers
 *       gathered from the padded image; images are split into a fixed number of chunks (independent of
 *       the thread count) whose partial results are added in chunk order. With stride 1 and few taps per
 *       filter (a first layer), each (filter, tap) pair is instead a dot product along whole rows.</li>
 * </ul>
 * Every output element is one FMA chain in an order fixed by the shapes alone, so results do not depend on
 * the thread count or on the kernel set (scalar and SIMD micro-kernels round identically) - except the
 * dot-product backward filter, whose vector kernel keeps one partial sum per lane: it does not depend on the
 * thread count either, but the scalar kernels round it differently.
 */
final class Conv {
    /** Depth of one K slice; a longer K is cut into equal slices. */
    static final int KC = 256;
    /** Output columns per task block (a multiple of every NR). */
    static final int NC = 256;
    /** Backward filter: images are grouped into at most this many chunks, fixed by the batch size alone. */
    static final int FILTER_CHUNKS = 16;
    /** Backward data goes through GEMM + col2im from this many output channels per group (a useful GEMM depth). */
    static final int COL2IM_MIN_OUT = 8;
    /**
     * Backward filter with stride 1 and at most this many taps per filter ({@code C/groups * kh * kw}) runs as dot
     * products. Measured on AVX-512, 2 threads: 0.6x the GEMM path's time at 9 taps (1x3x3), 0.9x at 18 and 25,
     * 1.0x at 27 (3x3x3) and slower from 72.
     */
    static final int DOTS_MAX_TAPS = 25;
    /**
     * Forward with stride 1, at most this many taps per filter, 8 or more filters per group and output rows at
     * least {@link #DIRECT_MIN_WIDTH} wide runs direct. Measured on AVX-512, 2 threads, against the GEMM path:
     * 0.43x the time at 9 taps (1x3x3, 28 wide), 0.65-0.7x at 18 and 27, 0.6-0.8x up to 147 taps on wide rows, but
     * slower at 576 taps on 16-wide rows; 32 keeps to the first layers it was measured on.
     */
    static final int DIRECT_MAX_TAPS = 32;
    /** Narrowest output row for the direct forward (one whole vector on AVX-512). */
    static final int DIRECT_MIN_WIDTH = 16;
    /**
     * A forward convolution of at least this many multiply-adds is spread over the threads even when it is one
     * image (inference at batch 1). Measured on AVX-512, 2 threads: the example CNN's second convolution at batch 1
     * (2-4 M multiply-adds) ran in one task before.
     */
    static final long SPLIT_WORK = 1L << 17;

    private final FloatKernels k;
    private final BufferPool pool;
    private final int mr;
    private final int nr;

    Conv(FloatKernels kernels, BufferPool pool) {
        this.k = kernels;
        this.pool = pool;
        this.mr = kernels.gemmMr();
        this.nr = kernels.gemmNr();
    }

    private static boolean eligible(Operand... ops) {
        for (Operand o : ops) {
            if (o.dtype() != DType.FLOAT32 || o.shape().length != 4 || (o.numel() > 0 && !o.layout().isContiguous())) {
                return false;
            }
        }
        return true;
    }

    /** One implicit GEMM: {@code out[n, g*mg + m, p] = sum_k A_g[m, k] src[n, g*cs + c(k), window(k, p)]}. */
    private static final class Spec {
        float[] src;
        int srcOff;
        int srcImg;
        int plane;
        int ws;
        int groups;
        int cs;
        int mg;
        int kernelH;
        int kernelW;
        int dilH;
        int dilW;
        int strideH;
        int strideW;
        int outH;
        int outW;
        float[] out;
        int outOff;
        /** Per output channel (all groups), added to the output; null for none. */
        float[] bias;
        int biasOff;
        /** ReLU applied to each finished output block (a fused activation). */
        boolean relu;
        // derived
        int kTotal;
        int kcFull;
        int kBlocks;
        int mPad;
        float[] ap;
        int[] rowOff;
        int[] colOff;
        boolean grid;
        boolean direct;
        int cols;
        int blockCols;
        int colBlocks;

        int outImg() {
            return groups * mg * outH * outW;
        }
    }

    // =================================================================== forward

    boolean forward(Operand x, Operand wt, Operand bias, Conv2dGeometry g, int groups, FusedActivation activation,
                    Operand out) {
        boolean relu = activation == FusedActivation.RELU;
        if (!eligible(x, wt, out) || (bias != null && (bias.dtype() != DType.FLOAT32 || !bias.layout().isContiguous()))) {
            return false;
        }
        int[] xs = x.shape();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int o = wt.shape()[0], cg = wt.shape()[1];
        int oh = out.shape()[2], ow = out.shape()[3];
        if (out.numel() == 0) {
            return true;
        }
        if (cg == 0 || h == 0 || w == 0) {
            Elementwise.fill(out, 0);
            if (bias != null) {
                addBias(buf(bias).floats(), bias.layout().offset(), n, o, oh * ow, buf(out).floats(),
                        out.layout().offset());
            }
            if (relu) {
                k.unary(UnaryOp.RELU, buf(out).floats(), out.layout().offset(), buf(out).floats(),
                        out.layout().offset(), out.numel(), 0f);
            }
            return true;
        }
        int og = o / groups;
        int kh = g.kernelH(), kw = g.kernelW(), ka = kh * kw;
        int kk = cg * ka;
        float[] wa = buf(wt).floats();
        int wOff = wt.layout().offset();

        if (g.strideH() == 1 && g.strideW() == 1 && kk <= DIRECT_MAX_TAPS && og >= 8 && ow >= DIRECT_MIN_WIDTH) {
            forwardDirect(x, wt, bias, g, groups, relu, out);
            return true;
        }
        Spec s = new Spec();
        Padded xp = padded(buf(x).floats(), x.layout().offset(), n * c, h, w, g.padH(), g.padW());
        try {
            s.src = xp.array;
            s.srcOff = xp.offset;
            s.plane = xp.h * xp.w;
            s.srcImg = c * s.plane;
            s.ws = xp.w;
            s.groups = groups;
            s.cs = cg;
            s.mg = og;
            s.kernelH = kh;
            s.kernelW = kw;
            s.dilH = g.dilationH();
            s.dilW = g.dilationW();
            s.strideH = g.strideH();
            s.strideW = g.strideW();
            s.outH = oh;
            s.outW = ow;
            s.out = buf(out).floats();
            s.outOff = out.layout().offset();
            if (bias != null) {
                s.bias = buf(bias).floats();
                s.biasOff = bias.layout().offset();
            }
            s.relu = relu;
            prepare(s, kk);
            // A_g[m, k] = W[g*og + m, k]
            for (int gi = 0; gi < groups; gi++) {
                int rowBase = wOff + gi * og * kk;
                packA(s, gi, (m, col) -> wa[rowBase + m * kk + col]);
            }
            run(s, n);
        } finally {
            xp.release();
        }
        return true;
    }

    /**
     * Forward of a stride-1 convolution with few taps (a first layer): each output row is computed in registers
     * for 8 channels at a time straight from the padded image and stored once, so nothing is packed, no wider
     * grid is computed and nothing is copied out. The FMA chains are the GEMM path's, so are the bits.
     */
    private void forwardDirect(Operand x, Operand wt, Operand bias, Conv2dGeometry g, int groups, boolean relu,
                               Operand out) {
        int[] xs = x.shape();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int o = wt.shape()[0], cg = wt.shape()[1];
        int oh = out.shape()[2], ow = out.shape()[3];
        int p = oh * ow;
        int og = o / groups;
        int kh = g.kernelH(), kw = g.kernelW(), ka = kh * kw;
        int kk = cg * ka;
        float[] wa = buf(wt).floats();
        int wOff = wt.layout().offset();
        float[] ba = bias == null ? null : buf(bias).floats();
        int bOff = bias == null ? 0 : bias.layout().offset();
        float[] oa = buf(out).floats();
        int oOff = out.layout().offset();
        Padded xp = padded(buf(x).floats(), x.layout().offset(), n * c, h, w, g.padH(), g.padW());
        try {
            int plane = xp.h * xp.w;
            int[] tapOff = tapOffsets(kk, kk, kh, kw, g.dilationH(), g.dilationW(), plane, xp.w);
            int blocks = (og + 7) / 8;
            float[] xa = xp.array;
            Parallel.Task task = t -> {
                int img = t / (groups * blocks);
                int gi = (t / blocks) % groups;
                // the last block ends at the group's last channel, recomputing some channels (the same bits)
                int m0 = Math.min((t % blocks) * 8, og - 8);
                int ch = gi * og + m0;
                int src = xp.offset + (img * c + gi * cg) * plane;
                int dst = oOff + (img * o + ch) * p;
                for (int y = 0; y < oh; y++) {
                    k.convRow8(wa, wOff + ch * kk, kk, ba, bOff + ch, xa, src + y * xp.w, tapOff, oa, dst + y * ow, p, ow);
                }
                if (relu) {
                    // the eight planes this task just wrote are still in cache: one call per plane, not per row
                    for (int i = 0; i < 8; i++) {
                        k.unary(UnaryOp.RELU, oa, dst + i * p, oa, dst + i * p, p, 0f);
                    }
                }
            };
            int tasks = n * groups * blocks;
            if ((long) n * o * kk * p >= SPLIT_WORK) {
                Parallel.forTasks(tasks, task);
            } else {
                for (int t = 0; t < tasks; t++) {
                    task.run(t);
                }
            }
        } finally {
            xp.release();
        }
    }

    private static void addBias(float[] bias, int biasOff, int n, int o, int plane, float[] out, int outOff) {
        for (int img = 0; img < n; img++) {
            for (int m = 0; m < o; m++) {
                int at = outOff + (img * o + m) * plane;
                float b = bias[biasOff + m];
                for (int q = 0; q < plane; q++) {
                    out[at + q] += b;
                }
            }
        }
    }

    // =================================================================== backward data

    boolean backwardData(Operand gradOut, Operand wt, Conv2dGeometry g, int groups, Operand gradIn) {
        if (!eligible(gradOut, wt, gradIn)) {
            return false;
        }
        int[] is = gradIn.shape();
        int n = is[0], c = is[1], h = is[2], w = is[3];
        int o = wt.shape()[0], cg = wt.shape()[1];
        int oh = gradOut.shape()[2], ow = gradOut.shape()[3];
        if (gradIn.numel() == 0) {
            return true;
        }
        if (o == 0 || oh == 0 || ow == 0) {
            Elementwise.fill(gradIn, 0);
            return true;
        }
        int og = o / groups;
        if (og >= COL2IM_MIN_OUT && og <= KC) {
            col2im(gradOut, wt, g, groups, gradIn);
            return true;
        }
        int kh = g.kernelH(), kw = g.kernelW(), ka = kh * kw;
        int dh = g.dilationH(), dw = g.dilationW();
        int sh = g.strideH(), sw = g.strideW();
        // gp[o, y, x] = gradOut[o, (y - th) / sh, (x - tw) / sw] where that is a whole in-range index, else 0
        int th = (kh - 1) * dh - g.padH();
        int tw = (kw - 1) * dw - g.padW();
        int hg = h + (kh - 1) * dh;
        int wg = w + (kw - 1) * dw;
        float[] ga = buf(gradOut).floats();
        int gOff = gradOut.layout().offset();
        float[] wa = buf(wt).floats();
        int wOff = wt.layout().offset();

        Spec s = new Spec();
        Padded gp = dilated(ga, gOff, n * o, oh, ow, sh, sw, th, tw, hg, wg);
        try {
            s.src = gp.array;
            s.srcOff = gp.offset;
            s.plane = hg * wg;
            s.srcImg = o * s.plane;
            s.ws = wg;
            s.groups = groups;
            s.cs = og;
            s.mg = cg;
            s.kernelH = kh;
            s.kernelW = kw;
            s.dilH = dh;
            s.dilW = dw;
            s.strideH = 1;
            s.strideW = 1;
            s.outH = h;
            s.outW = w;
            s.out = buf(gradIn).floats();
            s.outOff = gradIn.layout().offset();
            prepare(s, og * ka);
            // A_g[ci, (oi, r)] = W[g*og + oi, ci, ka - 1 - r]: transposed and flipped
            for (int gi = 0; gi < groups; gi++) {
                int base = wOff + gi * og * cg * ka;
                packA(s, gi, (ci, col) -> {
                    int oi = col / ka;
                    int r = col - oi * ka;
                    return wa[base + (oi * cg + ci) * ka + (ka - 1 - r)];
                });
            }
            run(s, n);
        } finally {
            gp.release();
        }
        return true;
    }

    /**
     * Backward data as GEMM then col2im, per image and group: {@code cols[k, p] = sum_m W[m, k] gradOut[m, p]}
     * (A = W^T packed once, B = gradOut rows, both small), then each row {@code k = (c, kh, kw)} of cols is
     * added into gradIn at its window offset, row segment by row segment. Each gradIn element sums its
     * taps in a fixed order (by kw, then c and kh).
     */
    private void col2im(Operand gradOut, Operand wt, Conv2dGeometry g, int groups, Operand gradIn) {
        int[] is = gradIn.shape();
        int n = is[0], c = is[1], h = is[2], w = is[3];
        int o = wt.shape()[0], cg = wt.shape()[1];
        int oh = gradOut.shape()[2], ow = gradOut.shape()[3];
        int p = oh * ow;
        int og = o / groups;
        int kh = g.kernelH(), kw = g.kernelW(), ka = kh * kw;
        int kTotal = cg * ka;
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW(), dh = g.dilationH(), dw = g.dilationW();
        float[] ga = buf(gradOut).floats();
        int gOff = gradOut.layout().offset();
        float[] wa = buf(wt).floats();
        int wOff = wt.layout().offset();
        float[] gi = buf(gradIn).floats();
        int iOff = gradIn.layout().offset();
        int mPad = roundUp(kTotal, mr);
        int pPad = roundUp(p, nr);
        // A_g[k, m] = W[g*og + m, k], MR-high slivers over all og (one K slice: og <= KC)
        float[] ap = new float[groups * mPad * og];
        for (int gi0 = 0; gi0 < groups; gi0++) {
            int base = gi0 * mPad * og;
            int wBase = wOff + gi0 * og * kTotal;
            for (int kIdx = 0; kIdx < kTotal; kIdx++) {
                int ir = kIdx / mr * mr;
                int dst = base + ir * og + (kIdx - ir);
                for (int m = 0; m < og; m++) {
                    ap[dst + m * mr] = wa[wBase + m * kTotal + kIdx];
                }
            }
        }
        int[] rowOff = new int[og];
        for (int m = 0; m < og; m++) {
            rowOff[m] = m * p;
        }
        Taps taps = sh == 1 && sw == 1 ? Taps.stride1(h, w, oh, ow, kh, kw, ph, pw, dh, dw, pPad) : null;
        Parallel.Task task = t -> {
            int img = t / groups;
            int gi0 = t % groups;
            Scratch sc = Scratch.get();
            float[] cols = sc.conv(mPad * pPad);
            float[] bp = sc.packB(og * nr);
            int gBase = gOff + img * o * p + gi0 * og * p;
            int aBase = gi0 * mPad * og;
            for (int j0 = 0; j0 < pPad; j0 += nr) {
                k.packSliver(ga, gBase + j0, rowOff, 0, og, Math.min(nr, p - j0), bp, 0);
                for (int ir = 0; ir < mPad; ir += mr) {
                    k.gemmMicro(og, ap, aBase + ir * og, bp, 0, cols, ir * pPad + j0, pPad, false);
                }
            }
            int dBase = iOff + (img * c + gi0 * cg) * h * w;
            int dEnd = dBase + cg * h * w;
            if (taps != null) {
                // each gradIn row sums its taps' cols segments in registers and is stored once, in row order
                for (int ci = 0; ci < cg; ci++) {
                    for (int y = 0; y < h; y++) {
                        k.sumTaps(cols, ci * ka * pPad, taps.off, taps.lo, taps.hi, y * ka, taps.count[y], gi,
                                dBase + (ci * h + y) * w, w, dEnd);
                    }
                }
                return;
            }
            java.util.Arrays.fill(gi, dBase, dEnd, 0f);
            // taps one column apart add into overlapping row segments: visit all (c, kh) between two kw so that
            // a read-modify-write never waits on the store just before it
            for (int t2 = 0; t2 < kTotal; t2++) {
                int kwi = t2 / (cg * kh);
                int rest = t2 - kwi * (cg * kh);
                int ci = rest / kh;
                int kIdx = ci * ka + (rest - ci * kh) * kw + kwi;
                int r = kIdx - ci * ka;
                int y0 = (r / kw) * dh - ph;
                int x0 = (r % kw) * dw - pw;
                // output rows/columns whose tap lands inside the image
                int rLo = Math.max(0, ceilDiv(-y0, sh)), rHi = Math.min(oh, floorDiv(h - 1 - y0, sh) + 1);
                int cLo = Math.max(0, ceilDiv(-x0, sw)), cHi = Math.min(ow, floorDiv(w - 1 - x0, sw) + 1);
                if (rLo >= rHi || cLo >= cHi) {
                    continue;
                }
                int src = kIdx * pPad + rLo * ow + cLo;
                int dst = dBase + ci * h * w + (rLo * sh + y0) * w + cLo * sw + x0;
                if (sw == 1) {
                    k.add2d(cols, src, ow, gi, dst, sh * w, rHi - rLo, cHi - cLo);
                } else {
                    for (int rr = 0; rr < rHi - rLo; rr++) {
                        for (int cc = 0; cc < cHi - cLo; cc++) {
                            gi[dst + rr * sh * w + cc * sw] += cols[src + rr * ow + cc];
                        }
                    }
                }
            }
        };
        long work = (long) n * o * kTotal * p;
        if (work >= MatMul.PARALLEL_WORK) {
            Parallel.forTasks(n * groups, task);
        } else {
            for (int t = 0; t < n * groups; t++) {
                task.run(t);
            }
        }
    }

    /**
     * For stride 1, the taps of each gradIn row {@code y} of one channel: entries {@code y*ka ..} hold, for the taps
     * whose output row is in range, in the order kw then kh (the order the scatter form adds them in), the offset of
     * the tap's cols segment relative to {@code x} and the range of {@code x} it covers.
     */
    private record Taps(int[] off, int[] lo, int[] hi, int[] count) {
        static Taps stride1(int h, int w, int oh, int ow, int kh, int kw, int ph, int pw, int dh, int dw, int pPad) {
            int ka = kh * kw;
            Taps t = new Taps(new int[h * ka], new int[h * ka], new int[h * ka], new int[h]);
            for (int y = 0; y < h; y++) {
                int n = y * ka;
                for (int kwi = 0; kwi < kw; kwi++) {
                    for (int khi = 0; khi < kh; khi++) {
                        int oy = y + ph - khi * dh;
                        int shift = kwi * dw - pw; // x = ox + shift
                        int lo = Math.max(0, shift), hi = Math.min(w, shift + ow);
                        if (oy < 0 || oy >= oh || lo >= hi) {
                            continue;
                        }
                        t.off[n] = (khi * kw + kwi) * pPad + oy * ow - shift;
                        t.lo[n] = lo;
                        t.hi[n] = hi;
                        n++;
                    }
                }
                t.count[y] = n - y * ka;
            }
            return t;
        }
    }

    // =================================================================== implicit GEMM driver

    @FunctionalInterface
    private interface Source {
        float at(int m, int col);
    }

    private void prepare(Spec s, int kTotal) {
        s.kTotal = kTotal;
        s.kBlocks = (kTotal + KC - 1) / KC;
        s.kcFull = (kTotal + s.kBlocks - 1) / s.kBlocks;
        s.mPad = roundUp(s.mg, mr);
        s.rowOff = tapOffsets(kTotal, kTotal, s.kernelH, s.kernelW, s.dilH, s.dilW, s.plane, s.ws);
        int p = s.outH * s.outW;
        s.grid = s.strideH == 1 && s.strideW == 1;
        if (s.grid) {
            s.cols = (s.outH - 1) * s.ws + s.outW;
            s.direct = s.ws == s.outW;
        } else {
            s.cols = p;
            s.direct = true;
            s.colOff = new int[p];
            for (int q = 0; q < p; q++) {
                s.colOff[q] = (q / s.outW) * s.strideH * s.ws + (q % s.outW) * s.strideW;
            }
        }
        // in grid mode blocks hold whole rows of the grid when they fit, so the kept columns copy out as a 2-D block
        s.blockCols = s.grid && s.ws <= NC ? NC / s.ws * s.ws : NC;
        s.colBlocks = (s.cols + s.blockCols - 1) / s.blockCols;
        s.ap = Scratch.get().convWeights(s.groups * s.mPad * kTotal);
    }

    /** Packs group {@code gi}'s A (mg x kTotal, zero rows up to mPad) into MR-high slivers per K slice. */
    private void packA(Spec s, int gi, Source a) {
        int base = gi * s.mPad * s.kTotal;
        for (int b = 0; b < s.kBlocks; b++) {
            int k0 = b * s.kcFull;
            int kc = Math.min(s.kcFull, s.kTotal - k0);
            int blockBase = base + b * s.mPad * s.kcFull;
            for (int m = 0; m < s.mPad; m++) {
                int ir = m / mr * mr;
                int dst = blockBase + ir * kc + (m - ir);
                if (m < s.mg) {
                    for (int kIdx = 0; kIdx < kc; kIdx++) {
                        s.ap[dst + kIdx * mr] = a.at(m, k0 + kIdx);
                    }
                } else {
                    for (int kIdx = 0; kIdx < kc; kIdx++) {
                        s.ap[dst + kIdx * mr] = 0f;
                    }
                }
            }
        }
    }

    private void run(Spec s, int n) {
        long work = (long) n * s.groups * s.mg * s.kTotal * s.cols;
        int threads = Parallel.threads();
        if (n * s.groups * s.colBlocks < threads && work >= SPLIT_WORK) {
            // one image (inference at batch 1): cut its columns so that every thread gets a block; whole grid rows,
            // so the copy-out stays two-dimensional. Column blocks never change how an element is summed.
            int per = (s.cols + threads - 1) / threads;
            if (s.grid && s.ws <= NC) {
                per = (per + s.ws - 1) / s.ws * s.ws;
            }
            if (per < s.blockCols) {
                s.blockCols = per;
                s.colBlocks = (s.cols + per - 1) / per;
            }
        }
        int tasks = n * s.groups * s.colBlocks;
        Parallel.Task body = t -> block(s, t / (s.groups * s.colBlocks), (t / s.colBlocks) % s.groups, t % s.colBlocks);
        if (work >= MatMul.PARALLEL_WORK || (tasks > 1 && work >= SPLIT_WORK)) {
            Parallel.forTasks(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) {
                body.run(t);
            }
        }
    }

    /** Columns block {@code jb} of image {@code img}, group {@code gi}. */
    private void block(Spec s, int img, int gi, int jb) {
        int q0 = jb * s.blockCols;
        int nc = Math.min(s.blockCols, s.cols - q0);
        int ncPad = roundUp(nc, nr);
        int p = s.outH * s.outW;
        Scratch sc = Scratch.get();
        float[] bp = sc.packB(s.kcFull * nr);
        float[] c;
        int cOff;
        int ldc;
        int rows;
        int width;
        int outBase = s.outOff + img * s.outImg() + gi * s.mg * p;
        if (s.direct) {
            c = s.out;
            cOff = outBase + q0;
            ldc = p;
            rows = s.mg;
            width = nc;
        } else {
            c = sc.conv(s.mPad * ncPad);
            cOff = 0;
            ldc = ncPad;
            rows = s.mPad;
            width = ncPad;
        }
        int srcBase = s.srcOff + img * s.srcImg + gi * s.cs * s.plane;
        float[] src = s.src;
        if (s.bias != null) {
            // start every output row at its channel's bias, while the block is in cache; the GEMM accumulates onto it
            for (int m = 0; m < rows; m++) {
                float b = m < s.mg ? s.bias[s.biasOff + gi * s.mg + m] : 0f;
                Arrays.fill(c, cOff + m * ldc, cOff + m * ldc + width, b);
            }
        }
        for (int b = 0; b < s.kBlocks; b++) {
            int k0 = b * s.kcFull;
            int kc = Math.min(s.kcFull, s.kTotal - k0);
            int aOff = gi * s.mPad * s.kTotal + b * s.mPad * s.kcFull;
            // pack one sliver and use it at once, while it is in L1
            for (int j0 = 0; j0 < width; j0 += nr) {
                int wdt = Math.max(0, Math.min(nr, nc - j0));
                if (s.grid) {
                    k.packSliver(src, srcBase + q0 + j0, s.rowOff, k0, kc, wdt, bp, 0);
                } else {
                    for (int kIdx = 0; kIdx < kc; kIdx++) {
                        int d = kIdx * nr;
                        k.gather(src, srcBase + s.rowOff[k0 + kIdx], s.colOff, q0 + j0, bp, d, wdt);
                        if (wdt < nr) {
                            Arrays.fill(bp, d + wdt, d + nr, 0f);
                        }
                    }
                }
                macro(s.ap, aOff, kc, bp, 0, c, cOff + j0, ldc, rows, Math.min(nr, width - j0),
                        b > 0 || s.bias != null, sc);
            }
        }
        if (s.relu) {
            // the block is complete and still in cache: apply the fused activation before it is stored or copied out
            int activeRows = s.direct ? rows : s.mg;
            for (int m = 0; m < activeRows; m++) {
                k.unary(UnaryOp.RELU, c, cOff + m * ldc, c, cOff + m * ldc, s.direct ? nc : width, 0f);
            }
        }
        if (!s.direct) {
            // keep the columns q = oh * ws + ow with ow < outW
            if (q0 % s.ws == 0 && s.blockCols % s.ws == 0) {
                int r0 = q0 / s.ws;
                int nRows = (nc + s.ws - 1) / s.ws;
                for (int m = 0; m < s.mg; m++) {
                    k.copy2d(c, m * ldc, s.ws, s.out, outBase + m * p + r0 * s.outW, s.outW, nRows, s.outW);
                }
            } else {
                int rFirst = q0 / s.ws;
                int rLast = (q0 + nc - 1) / s.ws;
                for (int m = 0; m < s.mg; m++) {
                    int dRow = outBase + m * p;
                    int cRow = m * ldc - q0;
                    for (int r = rFirst; r <= rLast; r++) {
                        int lo = Math.max(q0, r * s.ws);
                        int hi = Math.min(q0 + nc, r * s.ws + s.outW);
                        if (lo < hi) {
                            System.arraycopy(c, cRow + lo, s.out, dRow + r * s.outW + (lo - r * s.ws), hi - lo);
                        }
                    }
                }
            }
        }
    }

    /** C[m x nc] (+)= A~ B~ over slivers (B slivers from {@code bOff}); partial tiles go through a scratch tile. */
    private void macro(float[] ap, int aOff, int kc, float[] bp, int bOff, float[] c, int cOff, int ldc, int m, int nc,
                       boolean accumulate, Scratch sc) {
        for (int jr = 0; jr < nc; jr += nr) {
            int nCur = Math.min(nr, nc - jr);
            int bo = bOff + jr * kc;
            for (int ir = 0; ir < m; ir += mr) {
                int mCur = Math.min(mr, m - ir);
                int ao = aOff + ir * kc;
                int co = cOff + ir * ldc + jr;
                if (mCur == mr && nCur == nr) {
                    k.gemmMicro(kc, ap, ao, bp, bo, c, co, ldc, accumulate);
                } else {
                    float[] t = sc.tile(mr * nr);
                    tileIn(t, c, co, ldc, mCur, nCur, accumulate);
                    k.gemmMicro(kc, ap, ao, bp, bo, t, 0, nr, accumulate);
                    tileOut(t, c, co, ldc, mCur, nCur);
                }
            }
        }
    }

    private void tileIn(float[] t, float[] c, int co, int ldc, int rows, int cols, boolean accumulate) {
        if (accumulate) {
            Arrays.fill(t, 0, mr * nr, 0f);
            for (int i = 0; i < rows; i++) {
                System.arraycopy(c, co + i * ldc, t, i * nr, cols);
            }
        }
    }

    private void tileOut(float[] t, float[] c, int co, int ldc, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            System.arraycopy(t, i * nr, c, co + i * ldc, cols);
        }
    }

    // =================================================================== backward filter

    /**
     * gradW, and with {@code gradBias} non-null also the bias gradient, summed per channel from the gradOut rows as
     * they are packed (while they are in L1): per image chunk in double, chunks added in order.
     */
    boolean backwardFilter(Operand x, Operand gradOut, Conv2dGeometry g, int groups, Operand gradW, Operand gradBias) {
        if (!eligible(x, gradOut, gradW) || (gradBias != null && (gradBias.dtype() != DType.FLOAT32
                || !gradBias.layout().isContiguous() || gradBias.numel() != gradW.shape()[0]))) {
            return false;
        }
        int[] xs = x.shape();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int o = gradW.shape()[0], cg = gradW.shape()[1];
        int oh = gradOut.shape()[2], ow = gradOut.shape()[3];
        int p = oh * ow;
        if (gradW.numel() == 0) {
            return gradBias == null; // no filter to pack gradOut for: core sums the bias gradient on its own
        }
        if (n == 0 || p == 0) {
            Elementwise.fill(gradW, 0);
            if (gradBias != null) {
                Elementwise.fill(gradBias, 0);
            }
            return true;
        }
        int og = o / groups;
        int kh = g.kernelH(), kw = g.kernelW(), ka = kh * kw;
        int kTotal = cg * ka;
        if (g.strideH() == 1 && g.strideW() == 1 && kTotal <= DOTS_MAX_TAPS) {
            filterByDots(x, gradOut, g, groups, gradW, gradBias);
            return true;
        }
        int dh = g.dilationH(), dw = g.dilationW();
        float[] ga = buf(gradOut).floats();
        int gOff = gradOut.layout().offset();
        float[] gw = buf(gradW).floats();
        int gwOff = gradW.layout().offset();

        // gradW^T[k, m] = sum_n sum_p X_n[k, p] gradOut[n, m, p]: A = X read in place from the padded image
        // (rows k, columns p through offset tables), B = gradOut^T packed per image, C = gradW^T per chunk
        Padded xp = padded(buf(x).floats(), x.layout().offset(), n * c, h, w, g.padH(), g.padW());
        float[] partials = null;
        try {
            int plane = xp.h * xp.w;
            int wp = xp.w;
            int kPad = roundUp(kTotal, mr);
            int ogPad = roundUp(og, nr);
            // rows past kTotal read row 0 and are never kept
            int[] rowOff = tapOffsets(kPad, kTotal, kh, kw, dh, dw, plane, wp);
            int[] colOff = new int[p];
            for (int q = 0; q < p; q++) {
                colOff[q] = (q / ow) * g.strideH() * wp + (q % ow) * g.strideW();
            }
            int chunkSize = (n + FILTER_CHUNKS - 1) / FILTER_CHUNKS;
            int chunks = (n + chunkSize - 1) / chunkSize;
            int tile = kPad * ogPad;
            partials = (float[]) pool.take(DType.FLOAT32, chunks * groups * tile);
            float[] part = partials;
            double[] biasParts = gradBias == null ? null : new double[chunks * o];
            int pBlocks = (p + KC - 1) / KC;
            int pcFull = (p + pBlocks - 1) / pBlocks;
            float[] xa = xp.array;
            int xBase0 = xp.offset;
            Parallel.Task task = t -> {
                int ch = t / groups;
                int gi = t % groups;
                int cBase = t * tile;
                Scratch sc = Scratch.get();
                boolean first = true;
                int nEnd = Math.min(n, (ch + 1) * chunkSize);
                for (int img = ch * chunkSize; img < nEnd; img++) {
                    int gBase = gOff + img * o * p + gi * og * p;
                    int xBase = xBase0 + img * c * plane + gi * cg * plane;
                    for (int pb = 0; pb < pBlocks; pb++) {
                        int p0 = pb * pcFull;
                        int kc = Math.min(pcFull, p - p0);
                        float[] bp = sc.packB(kc * ogPad);
                        for (int m0 = 0; m0 < ogPad; m0 += nr) {
                            packTransposed(ga, gBase + m0 * p + p0, p, Math.max(0, Math.min(nr, og - m0)), kc, bp,
                                    m0 * kc);
                        }
                        if (biasParts != null) {
                            int at = ch * o + gi * og;
                            for (int m = 0; m < og; m++) {
                                biasParts[at + m] += k.sum(ga, gBase + m * p + p0, kc);
                            }
                        }
                        for (int m0 = 0; m0 < ogPad; m0 += nr) {
                            for (int i0 = 0; i0 < kPad; i0 += mr) {
                                k.gemmMicroGatherA(kc, xa, xBase, rowOff, i0, colOff, p0, bp, m0 * kc, part,
                                        cBase + i0 * ogPad + m0, ogPad, !first);
                            }
                        }
                        first = false;
                    }
                }
            };
            long work = (long) n * o * kTotal * p;
            if (work >= MatMul.PARALLEL_WORK) {
                Parallel.forTasks(chunks * groups, task);
            } else {
                for (int t = 0; t < chunks * groups; t++) {
                    task.run(t);
                }
            }
            if (biasParts != null) {
                sumBiasChunks(biasParts, chunks, o, gradBias);
            }
            // gradW[gi*og + m, k] = sum over chunks, in order, of gradW^T[k, m]
            int stride = groups * tile;
            Parallel.forChunks(o, Math.max(1, 4096 / Math.max(1, kTotal)), Parallel.MIN_PARALLEL_ELEMENTS / Math.max(1, kTotal) + 1,
                    (lo, hi) -> {
                for (int row = lo; row < hi; row++) {
                    int gi = row / og;
                    int m = row - gi * og;
                    int dst = gwOff + row * kTotal;
                    int src = gi * tile + m;
                    for (int kIdx = 0; kIdx < kTotal; kIdx++) {
                        int sp = src + kIdx * ogPad;
                        float acc = part[sp];
                        for (int ch = 1; ch < chunks; ch++) {
                            acc += part[sp + ch * stride];
                        }
                        gw[dst + kIdx] = acc;
                    }
                }
            });
        } finally {
            if (partials != null) {
                pool.give(DType.FLOAT32, partials);
            }
            xp.release();
        }
        return true;
    }

    /** gradBias[m] = the per-chunk sums of channel {@code m}, added in chunk order. */
    private static void sumBiasChunks(double[] biasParts, int chunks, int o, Operand gradBias) {
        float[] gb = buf(gradBias).floats();
        int gbOff = gradBias.layout().offset();
        for (int m = 0; m < o; m++) {
            double acc = biasParts[m];
            for (int ch = 1; ch < chunks; ch++) {
                acc += biasParts[ch * o + m];
            }
            gb[gbOff + m] = (float) acc;
        }
    }

    /**
     * Backward filter for stride 1 and few taps per filter (a first layer, where the GEMM path would spend its
     * time transposing gradOut): every (filter, tap) pair is one dot product of a gradOut plane with the tap's
     * shifted window of the padded image, along whole rows, twelve pairs at a time. Per image chunk as in the
     * GEMM path, chunks added in order; the bias gradient is summed exactly as there.
     */
    private void filterByDots(Operand x, Operand gradOut, Conv2dGeometry g, int groups, Operand gradW,
                              Operand gradBias) {
        int[] xs = x.shape();
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int o = gradW.shape()[0], cg = gradW.shape()[1];
        int oh = gradOut.shape()[2], ow = gradOut.shape()[3];
        int p = oh * ow;
        int og = o / groups;
        int kh = g.kernelH(), kw = g.kernelW(), ka = kh * kw;
        int kTotal = cg * ka;
        float[] ga = buf(gradOut).floats();
        int gOff = gradOut.layout().offset();
        Padded xp = padded(buf(x).floats(), x.layout().offset(), n * c, h, w, g.padH(), g.padW());
        try {
            int plane = xp.h * xp.w;
            int[] tapOff = tapOffsets(kTotal, kTotal, kh, kw, g.dilationH(), g.dilationW(), plane, xp.w);
            int chunkSize = (n + FILTER_CHUNKS - 1) / FILTER_CHUNKS;
            int chunks = (n + chunkSize - 1) / chunkSize;
            int tile = og * kTotal;
            float[] part = new float[chunks * groups * tile];
            double[] biasParts = gradBias == null ? null : new double[chunks * o];
            int pBlocks = (p + KC - 1) / KC;
            int pcFull = (p + pBlocks - 1) / pBlocks;
            float[] xa = xp.array;
            Parallel.Task task = t -> {
                int ch = t / groups;
                int gi = t % groups;
                int img0 = ch * chunkSize;
                int images = Math.min(n, img0 + chunkSize) - img0;
                int gBase = gOff + img0 * o * p + gi * og * p;
                int xBase = xp.offset + img0 * c * plane + gi * cg * plane;
                int[] gRows = new int[4];
                int[] taps = new int[3];
                int mBlocks = (og + 3) / 4;
                int kBlocks = (kTotal + 2) / 3;
                float[] acc = new float[mBlocks * kBlocks * 12];
                for (int mb = 0; mb < mBlocks; mb++) {
                    for (int i = 0; i < 4; i++) {
                        gRows[i] = gBase + Math.min(mb * 4 + i, og - 1) * p; // a repeated last row is computed, not kept
                    }
                    for (int kb = 0; kb < kBlocks; kb++) {
                        for (int j = 0; j < 3; j++) {
                            taps[j] = xBase + tapOff[Math.min(kb * 3 + j, kTotal - 1)];
                        }
                        k.dotTile4x3(ga, gRows, o * p, ow, xa, taps, c * plane, xp.w, images, oh, ow, acc,
                                (mb * kBlocks + kb) * 12);
                    }
                }
                for (int m = 0; m < og; m++) {
                    for (int kIdx = 0; kIdx < kTotal; kIdx++) {
                        part[t * tile + m * kTotal + kIdx] = acc[((m / 4) * kBlocks + kIdx / 3) * 12 + (m % 4) * 3 + kIdx % 3];
                    }
                }
                if (biasParts != null) {
                    int at = ch * o + gi * og;
                    for (int img = img0; img < img0 + images; img++) {
                        int rowBase = gOff + img * o * p + gi * og * p;
                        for (int m = 0; m < og; m++) {
                            for (int p0 = 0; p0 < p; p0 += pcFull) {
                                biasParts[at + m] += k.sum(ga, rowBase + m * p + p0, Math.min(pcFull, p - p0));
                            }
                        }
                    }
                }
            };
            if ((long) n * o * kTotal * p >= MatMul.PARALLEL_WORK) {
                Parallel.forTasks(chunks * groups, task);
            } else {
                for (int t = 0; t < chunks * groups; t++) {
                    task.run(t);
                }
            }
            float[] gw = buf(gradW).floats();
            int gwOff = gradW.layout().offset();
            for (int gi = 0; gi < groups; gi++) {
                for (int e = 0; e < tile; e++) {
                    float sum = part[gi * tile + e];
                    for (int ch = 1; ch < chunks; ch++) {
                        sum += part[(ch * groups + gi) * tile + e];
                    }
                    gw[gwOff + gi * tile + e] = sum;
                }
            }
            if (biasParts != null) {
                sumBiasChunks(biasParts, chunks, o, gradBias);
            }
        } finally {
            xp.release();
        }
    }

    /**
     * One NR-wide B sliver from {@code rows} rows of length {@code kc} (row {@code j} at {@code src + j * ld}):
     * {@code bp[dst + q * nr + j] = a[src + j * ld + q]}, zero for {@code j >= rows}. Row by row, so every
     * read is sequential: the backward filter of the example CNN's second layer (128x32x14x14, 64 filters)
     * ran 15-25% faster than with a vector gather per column.
     */
    private void packTransposed(float[] a, int src, int ld, int rows, int kc, float[] bp, int dst) {
        if (rows < nr) {
            for (int q = 0; q < kc; q++) {
                Arrays.fill(bp, dst + q * nr + rows, dst + q * nr + nr, 0f);
            }
        }
        for (int j = 0; j < rows; j++) {
            int from = src + j * ld;
            int to = dst + j;
            for (int q = 0; q < kc; q++) {
                bp[to + q * nr] = a[from + q];
            }
        }
    }

    // =================================================================== padded sources

    /** A source of planes {@code h x w} starting at {@code offset}, either borrowed or taken from the pool. */
    private final class Padded {
        final float[] array;
        final int offset;
        final int h;
        final int w;
        final boolean owned;

        Padded(float[] array, int offset, int h, int w, boolean owned) {
            this.array = array;
            this.offset = offset;
            this.h = h;
            this.w = w;
            this.owned = owned;
        }

        void release() {
            if (owned) {
                pool.give(DType.FLOAT32, array);
            }
        }
    }

    /** {@code planes} planes of {@code h x w} with {@code ph} zero rows and {@code pw} zero columns on each side. */
    private Padded padded(float[] x, int off, int planes, int h, int w, int ph, int pw) {
        if (ph == 0 && pw == 0) {
            return new Padded(x, off, h, w, false);
        }
        int hp = h + 2 * ph;
        int wp = w + 2 * pw;
        int plane = hp * wp;
        float[] d = (float[]) pool.take(DType.FLOAT32, planes * plane);
        Parallel.forChunks(planes, Math.max(1, 16384 / plane), Parallel.MIN_PARALLEL_ELEMENTS / plane + 1, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int base = pl * plane;
                Arrays.fill(d, base, base + plane, 0f);
                k.copy2d(x, off + pl * h * w, w, d, base + ph * wp + pw, wp, h, w);
            }
        });
        return new Padded(d, 0, hp, wp, true);
    }

    /**
     * {@code planes} planes of {@code hg x wg}, zero except {@code d[y, x] = g[(y - th) / sh, (x - tw) / sw]}
     * for the whole in-range indices of {@code g}'s {@code gh x gw} planes.
     */
    private Padded dilated(float[] g, int off, int planes, int gh, int gw, int sh, int sw, int th, int tw, int hg, int wg) {
        if (sh == 1 && sw == 1 && th == 0 && tw == 0 && hg == gh && wg == gw) {
            return new Padded(g, off, gh, gw, false);
        }
        int plane = hg * wg;
        float[] d = (float[]) pool.take(DType.FLOAT32, planes * plane);
        // whole rows/columns of g that land inside the plane
        int r0 = Math.max(0, ceilDiv(-th, sh));
        int r1 = Math.min(gh, floorDiv(hg - 1 - th, sh) + 1);
        int c0 = Math.max(0, ceilDiv(-tw, sw));
        int c1 = Math.min(gw, floorDiv(wg - 1 - tw, sw) + 1);
        Parallel.forChunks(planes, Math.max(1, 16384 / plane), Parallel.MIN_PARALLEL_ELEMENTS / plane + 1, (lo, hi) -> {
            for (int pl = lo; pl < hi; pl++) {
                int base = pl * plane;
                Arrays.fill(d, base, base + plane, 0f);
                if (c0 >= c1) {
                    continue;
                }
                if (sw == 1 && r0 < r1) {
                    k.copy2d(g, off + (pl * gh + r0) * gw + c0, gw, d, base + (r0 * sh + th) * wg + tw + c0, sh * wg, r1 - r0, c1 - c0);
                    continue;
                }
                for (int r = r0; r < r1; r++) {
                    int srow = off + (pl * gh + r) * gw;
                    int drow = base + (r * sh + th) * wg + tw;
                    {
                        for (int cc = c0; cc < c1; cc++) {
                            d[drow + cc * sw] = g[srow + cc];
                        }
                    }
                }
            }
        });
        return new Padded(d, 0, hg, wg, true);
    }

    /**
     * Offsets of the taps {@code k = (c, kh, kw)} in planes of {@code plane} elements and rows of {@code ws}, for
     * the first {@code taps} of {@code length} entries (the rest stay 0).
     */
    private static int[] tapOffsets(int length, int taps, int kh, int kw, int dilH, int dilW, int plane, int ws) {
        TapKey key = new TapKey(length, taps, kh, kw, dilH, dilW, plane, ws);
        int[] cached = TAP_OFFSETS.get(key);
        if (cached != null) {
            return cached;
        }
        int ka = kh * kw;
        int[] off = new int[length];
        for (int kIdx = 0; kIdx < taps; kIdx++) {
            int ci = kIdx / ka;
            int r = kIdx - ci * ka;
            off[kIdx] = ci * plane + (r / kw) * dilH * ws + (r % kw) * dilW;
        }
        if (TAP_OFFSETS.size() >= TAP_OFFSETS_KEPT) {
            TAP_OFFSETS.clear();
        }
        TAP_OFFSETS.put(key, off);
        return off;
    }

    /**
     * {@link #tapOffsets} results, which callers only read, by their arguments: a model's layers ask for the same
     * few on every call (they were most of what a batch-1 prediction allocated).
     */
    private static final Map<TapKey, int[]> TAP_OFFSETS = new ConcurrentHashMap<>();
    private static final int TAP_OFFSETS_KEPT = 256;

    private record TapKey(int length, int taps, int kh, int kw, int dilH, int dilW, int plane, int ws) {
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static int floorDiv(int a, int b) {
        return Math.floorDiv(a, b);
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
