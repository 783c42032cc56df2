package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.UnaryOp;

import static dev.nabla.cpu.Elementwise.buf;

/**
 * Batched matrix product {@code out[b] = a[b] @ b[b]} over arbitrary strides.
 *
 * <p>FLOAT32 uses a packed, cache-blocked GEMM in the GotoBLAS/BLIS structure: for each {@link #NC}-wide
 * column panel and {@link #KC}-deep slice of K, a panel of B is packed into NR-wide slivers; blocks of
 * up to {@link #MC} rows of A are packed into MR-high slivers (in parallel, one block per task) and the
 * register-blocked micro-kernel of {@link FloatKernels} computes MR x NR tiles. Transposed operands are
 * handled by the packing routines. Every output element is one FMA chain over k in increasing order
 * (the micro-kernel resumes the chain from C for later K slices), so results do not depend on the
 * thread count or the blocking. Small or
 * skinny products take a non-packed path built on {@code dot} / {@code axpy}. Other dtypes use a simple
 * i-k-j loop.
 */
final class MatMul {
    static final int KC = 256;
    static final int MC = 192;
    static final int NC = 2048;
    /** Below this many multiply-adds (or with very few rows/columns) the non-packed path is used. */
    static final long SMALL = 32 * 1024;
    /** Below this many multiply-adds a product runs on the calling thread: waking workers costs more. */
    static final long PARALLEL_WORK = 1L << 21;
    /** Largest packed B (floats) packed whole before the row blocks run, when K has several slices. */
    static final long WHOLE_B = 1L << 22;

    private final FloatKernels k;
    private final int mr;
    private final int nr;

    MatMul(FloatKernels kernels) {
        this.k = kernels;
        this.mr = kernels.gemmMr();
        this.nr = kernels.gemmNr();
    }

    /** Operand geometry of one batched product. */
    private record Dims(int batch, int m, int n, int kk,
                        int sab, int sam, int sak, int sbb, int sbk, int sbn, int sob, int som, int son,
                        int aOff, int bOff, int oOff) {
        static Dims of(Layout a, Layout b, Layout o) {
            return new Dims(o.shape()[0], o.shape()[1], o.shape()[2], a.shape()[2],
                    a.shape()[0] == 1 ? 0 : a.strides()[0], a.strides()[1], a.strides()[2],
                    b.shape()[0] == 1 ? 0 : b.strides()[0], b.strides()[1], b.strides()[2],
                    o.strides()[0], o.strides()[1], o.strides()[2],
                    a.offset(), b.offset(), o.offset());
        }
    }

    void matmul(Operand a, Operand b, Operand out) {
        if (out.numel() == 0) {
            return;
        }
        Dims d = Dims.of(a.layout(), b.layout(), out.layout());
        if (d.kk == 0) {
            Elementwise.fill(out, 0);
            return;
        }
        DType dt = out.dtype();
        switch (dt) {
            case FLOAT32 -> sgemm(buf(a).floats(), buf(b).floats(), buf(out).floats(), d, null);
            case FLOAT64, INT64, INT32 -> simple(dt, buf(a).array(), buf(b).array(), buf(out).array(), d);
            case BOOL -> throw Elementwise.unsupported(dev.nabla.spi.BinaryOp.MUL, dt);
        }
    }

    // =================================================================== fused linear layer

    /**
     * A block of finished output rows: {@code rows x cols} elements at {@code off} (row stride {@code ldc}) whose first
     * column is output column {@code col0}. Called once per block right after its last K slice, while it is in cache.
     */
    @FunctionalInterface
    interface Epilogue {
        void apply(float[] c, int off, int ldc, int rows, int cols, int col0);
    }

    /**
     * {@code out [M, O] = activation(x [M, K] W^T + bias)} for {@code W [O, K]}: the product runs exactly as
     * {@code matmul(x, W.t())} does (same path, same bits) and each finished output block gets the bias added and
     * the activation applied before the next block starts, instead of two more passes over the whole output.
     */
    boolean linear(Operand x, Operand w, Operand bias, FusedActivation activation, Operand out) {
        if (x.dtype() != DType.FLOAT32 || w.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32
                || (bias != null && bias.dtype() != DType.FLOAT32) || !out.layout().isContiguous()) {
            return false;
        }
        int m = x.shape()[0], kk = x.shape()[1], o = w.shape()[0];
        if (out.numel() == 0 || kk == 0) {
            return false;
        }
        Layout xl = x.layout();
        Layout wl = w.layout();
        Dims d = new Dims(1, m, o, kk, 0, xl.strides()[0], xl.strides()[1], 0, wl.strides()[1], wl.strides()[0],
                0, o, 1, xl.offset(), wl.offset(), out.layout().offset());
        float[] b = bias == null ? null : buf(bias).floats();
        int bOff = bias == null ? 0 : bias.layout().offset();
        boolean relu = activation == FusedActivation.RELU;
        Epilogue epilogue = bias == null && !relu ? null : (c, off, ldc, rows, cols, col0) -> {
            for (int r = 0; r < rows; r++) {
                int row = off + r * ldc;
                if (b != null) {
                    k.binary(BinaryOp.ADD, c, row, b, bOff + col0, c, row, cols);
                }
                if (relu) {
                    k.unary(UnaryOp.RELU, c, row, c, row, cols, 0f);
                }
            }
        };
        sgemm(buf(x).floats(), buf(w).floats(), buf(out).floats(), d, epilogue);
        return true;
    }

    // =================================================================== FLOAT32

    /** {@code epilogue} (or null) runs on each finished output block; only used for a single contiguous product. */
    private void sgemm(float[] a, float[] b, float[] o, Dims d, Epilogue epilogue) {
        int m = d.m, n = d.n, kk = d.kk;
        // from 8 columns on, the packed kernel beats dot products even though it computes NR of them:
        // 128x128 · (10x128)ᵀ, a classifier layer, takes 15 µs packed and 32 µs as dots (2 threads)
        boolean small = (long) m * n * kk < SMALL || m < mr || n < 8;
        if (small) {
            skinny(a, b, o, d, epilogue);
            return;
        }
        if (epilogue != null) {
            packed(a, d.aOff, d.sam, d.sak, b, d.bOff, d.sbk, d.sbn, o, d.oOff, d.som, m, n, kk,
                    (long) m * n * kk >= PARALLEL_WORK, epilogue);
            return;
        }
        int batch = d.batch;
        boolean directOut = d.son == 1;
        boolean parallel = (long) batch * m * n * kk >= PARALLEL_WORK;
        if (batch > 1 && batch >= Parallel.threads() && parallel) {
            Parallel.forTasks(batch, bi -> packedBatch(a, b, o, d, bi, directOut, true));
        } else {
            for (int bi = 0; bi < batch; bi++) {
                packedBatch(a, b, o, d, bi, directOut, parallel);
            }
        }
    }

    private void packedBatch(float[] a, float[] b, float[] o, Dims d, int bi, boolean directOut, boolean parallel) {
        int aOff = d.aOff + bi * d.sab;
        int bOff = d.bOff + bi * d.sbb;
        if (directOut) {
            packed(a, aOff, d.sam, d.sak, b, bOff, d.sbk, d.sbn, o, d.oOff + bi * d.sob, d.som, d.m, d.n, d.kk, parallel);
        } else {
            float[] c = new float[d.m * d.n];
            packed(a, aOff, d.sam, d.sak, b, bOff, d.sbk, d.sbn, c, 0, d.n, d.m, d.n, d.kk, parallel);
            int base = d.oOff + bi * d.sob;
            for (int i = 0; i < d.m; i++) {
                Elementwise.scatter(java.util.Arrays.copyOfRange(c, i * d.n, (i + 1) * d.n), d.n, o, base + i * d.som, d.son);
            }
        }
    }

    /** One packed GEMM: C[m x n] (row stride ldc) = A[m x k] B[k x n]. */
    void packed(float[] a, int aOff, int sam, int sak, float[] b, int bOff, int sbk, int sbn,
                float[] c, int cOff, int ldc, int m, int n, int kk, boolean parallel) {
        packed(a, aOff, sam, sak, b, bOff, sbk, sbn, c, cOff, ldc, m, n, kk, parallel, null);
    }

    /** {@link #packed} with {@code epilogue} (or null) applied to each row block of each column panel once finished. */
    private void packed(float[] a, int aOff, int sam, int sak, float[] b, int bOff, int sbk, int sbn,
                        float[] c, int cOff, int ldc, int m, int n, int kk, boolean parallel, Epilogue epilogue) {
        int threads = !parallel || Parallel.serial() ? 1 : Parallel.threads();
        int blocks = (m + MC - 1) / MC;
        if (threads > 1) {
            blocks = Math.max(blocks, Math.min(threads, (m + mr - 1) / mr));
            blocks = (blocks + threads - 1) / threads * threads;
        }
        int mc = roundUp((m + blocks - 1) / blocks, mr);
        int nBlocks = (m + mc - 1) / mc;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int ncPad = roundUp(nc, nr);
            int slivers = ncPad / nr;
            if (threads > 1 && kk > KC && m <= 2 * MC && (long) kk * ncPad <= WHOLE_B) {
                // few rows, several K slices and a modest B (e.g. 128x3136 @ 3136x128): pack all of B in one parallel call,
                // then each row block runs every slice, so two hand-overs in all instead of two per slice
                int kSlices = (kk + KC - 1) / KC;
                float[] bp = Scratch.get().packB(kk * ncPad);
                int bBase = bOff + jc * sbn;
                int sliverGrain = Math.max(1, slivers / threads);
                int chunks = (slivers + sliverGrain - 1) / sliverGrain;
                Parallel.forTasks(kSlices * chunks, t -> {
                    int pc = (t / chunks) * KC;
                    int lo = (t % chunks) * sliverGrain;
                    packB(b, bBase + pc * sbk, sbk, sbn, Math.min(KC, kk - pc), nc, lo, Math.min(slivers, lo + sliverGrain),
                            bp, pc * ncPad);
                });
                int jcF = jc;
                Parallel.forTasks(nBlocks, blk -> {
                    int ic = blk * mc;
                    int mcCur = Math.min(mc, m - ic);
                    Scratch sc = Scratch.get();
                    for (int pc = 0; pc < kk; pc += KC) {
                        int kc = Math.min(KC, kk - pc);
                        float[] ap = sc.packA(roundUp(mcCur, mr) * kc);
                        packA(a, aOff + ic * sam + pc * sak, sam, sak, mcCur, kc, ap);
                        macro(ap, bp, pc * ncPad, c, cOff + ic * ldc + jcF, ldc, mcCur, nc, kc, pc > 0, sc);
                    }
                    if (epilogue != null) {
                        epilogue.apply(c, cOff + ic * ldc + jcF, ldc, mcCur, nc, jcF);
                    }
                });
                continue;
            }
            for (int pc = 0; pc < kk; pc += KC) {
                int kc = Math.min(KC, kk - pc);
                boolean accumulate = pc > 0;
                float[] bp = Scratch.get().packB(kc * ncPad);
                int bBase = bOff + pc * sbk + jc * sbn;
                int sliverGrain = Math.max(1, slivers / Math.max(1, threads));
                Parallel.forChunks(slivers, sliverGrain, (long) kc * nc >= 64 * 1024 ? 0 : Integer.MAX_VALUE,
                        (lo, hi) -> packB(b, bBase, sbk, sbn, kc, nc, lo, hi, bp, 0));
                int jcF = jc;
                int pcF = pc;
                Parallel.Task block = blk -> {
                    int ic = blk * mc;
                    int mcCur = Math.min(mc, m - ic);
                    Scratch sc = Scratch.get();
                    float[] ap = sc.packA(roundUp(mcCur, mr) * kc);
                    packA(a, aOff + ic * sam + pcF * sak, sam, sak, mcCur, kc, ap);
                    macro(ap, bp, 0, c, cOff + ic * ldc + jcF, ldc, mcCur, nc, kc, accumulate, sc);
                    if (epilogue != null && pcF + kc == kk) {
                        epilogue.apply(c, cOff + ic * ldc + jcF, ldc, mcCur, nc, jcF);
                    }
                };
                if (threads > 1) {
                    Parallel.forTasks(nBlocks, block);
                } else {
                    for (int blk = 0; blk < nBlocks; blk++) {
                        block.run(blk);
                    }
                }
            }
        }
    }

    private void macro(float[] ap, float[] bp, int bOff, float[] c, int cOff, int ldc, int mc, int nc, int kc,
                       boolean accumulate, Scratch sc) {
        for (int jr = 0; jr < nc; jr += nr) {
            int nCur = Math.min(nr, nc - jr);
            int bo = bOff + jr * kc;
            for (int ir = 0; ir < mc; ir += mr) {
                int mCur = Math.min(mr, mc - ir);
                int ao = ir * kc;
                int co = cOff + ir * ldc + jr;
                if (mCur == mr && nCur == nr) {
                    k.gemmMicro(kc, ap, ao, bp, bo, c, co, ldc, accumulate);
                } else {
                    float[] t = sc.tile(mr * nr);
                    if (accumulate) {
                        java.util.Arrays.fill(t, 0, mr * nr, 0f);
                        for (int i = 0; i < mCur; i++) {
                            System.arraycopy(c, co + i * ldc, t, i * nr, nCur);
                        }
                    }
                    k.gemmMicro(kc, ap, ao, bp, bo, t, 0, nr, accumulate);
                    for (int i = 0; i < mCur; i++) {
                        System.arraycopy(t, i * nr, c, co + i * ldc, nCur);
                    }
                }
            }
        }
    }

    /** Packs rows [0, mc) x k [0, kc) of A (from {@code base}) into MR-high slivers, k-major, zero-padded. */
    private void packA(float[] a, int base, int sam, int sak, int mc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += mr) {
            int d = ir * kc;
            int rows = Math.min(mr, mc - ir);
            if (sam == 1 && rows == mr) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(a, base + p * sak + ir, ap, d + p * mr, mr);
                }
                continue;
            }
            for (int i = 0; i < rows; i++) {
                int src = base + (ir + i) * sam;
                for (int p = 0; p < kc; p++) {
                    ap[d + p * mr + i] = a[src + p * sak];
                }
            }
            for (int i = rows; i < mr; i++) {
                for (int p = 0; p < kc; p++) {
                    ap[d + p * mr + i] = 0f;
                }
            }
        }
    }

    /** Packs slivers [lo, hi) (NR columns each) of a kc x nc panel of B into k-major slivers, zero-padded. */
    private void packB(float[] b, int base, int sbk, int sbn, int kc, int nc, int lo, int hi, float[] bp, int bpOff) {
        for (int s = lo; s < hi; s++) {
            int j0 = s * nr;
            int w = Math.min(nr, nc - j0);
            int d = bpOff + s * nr * kc;
            if (sbn == 1) {
                for (int p = 0; p < kc; p++) {
                    int dp = d + p * nr;
                    System.arraycopy(b, base + p * sbk + j0, bp, dp, w);
                    for (int j = w; j < nr; j++) {
                        bp[dp + j] = 0f;
                    }
                }
            } else {
                for (int j = 0; j < w; j++) {
                    int src = base + (j0 + j) * sbn;
                    for (int p = 0; p < kc; p++) {
                        bp[d + p * nr + j] = b[src + p * sbk];
                    }
                }
                for (int j = w; j < nr; j++) {
                    for (int p = 0; p < kc; p++) {
                        bp[d + p * nr + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Non-packed path for small or skinny products, over blocks of up to {@link #SKINNY_ROWS} rows and
     * {@link #SKINNY_COLS} columns: dot products when both A rows and B columns are contiguous in k
     * (each B column is reused from cache for all rows of the block), otherwise row updates
     * {@code C[i,:] += A[i,k] * B[k,:]} with axpy, k outermost so that each B row is read once per block.
     * How the blocks are spread over threads never changes how an output element is computed.
     */
    private void skinny(float[] a, float[] b, float[] o, Dims d, Epilogue epilogue) {
        int m = d.m, n = d.n, kk = d.kk;
        boolean dots = d.sak == 1 && d.sbk == 1;
        boolean rows = !dots && d.sbn == 1;
        int rowBlocks = (m + SKINNY_ROWS - 1) / SKINNY_ROWS;
        long work = (long) d.batch * m * n * kk;
        int threads = Parallel.threads();
        int cols = SKINNY_COLS;
        if (d.batch * rowBlocks * ((n + cols - 1) / cols) < threads && work >= SKINNY_SPLIT_WORK) {
            // a few rows (a layer at batch 1): cut the columns so that every thread gets a block
            cols = Math.max(16, ((n + threads - 1) / threads + 15) / 16 * 16);
        }
        int colWidth = cols;
        int colBlocks = (n + colWidth - 1) / colWidth;
        int tasks = d.batch * rowBlocks * colBlocks;
        boolean parallel = work >= PARALLEL_WORK || (tasks > 1 && work >= SKINNY_SPLIT_WORK);
        Parallel.forChunks(tasks, 1, parallel ? 0 : Integer.MAX_VALUE, (t, tEnd) -> {
            int cb = t % colBlocks;
            int rb = (t / colBlocks) % rowBlocks;
            int bi = t / colBlocks / rowBlocks;
            int i0 = rb * SKINNY_ROWS;
            int h = Math.min(SKINNY_ROWS, m - i0);
            int j0 = cb * colWidth;
            int w = Math.min(colWidth, n - j0);
            int aBase = d.aOff + bi * d.sab + i0 * d.sam;
            int bBase = d.bOff + bi * d.sbb + j0 * d.sbn;
            int oBase = d.oOff + bi * d.sob + i0 * d.som + j0 * d.son;
            if (dots) {
                for (int j = 0; j < w; j++) {
                    int bCol = bBase + j * d.sbn;
                    for (int i = 0; i < h; i++) {
                        o[oBase + i * d.som + j * d.son] = k.dot(a, aBase + i * d.sam, b, bCol, kk);
                    }
                }
            } else if (rows) {
                boolean direct = d.son == 1;
                float[] acc = direct ? o : Scratch.get().tile(h * w);
                int ld = direct ? d.som : w;
                int accOff = direct ? oBase : 0;
                for (int i = 0; i < h; i++) {
                    java.util.Arrays.fill(acc, accOff + i * ld, accOff + i * ld + w, 0f);
                }
                for (int p = 0; p < kk; p++) {
                    int bRow = bBase + p * d.sbk;
                    int ap = aBase + p * d.sak;
                    for (int i = 0; i < h; i++) {
                        k.axpy(a[ap + i * d.sam], b, bRow, acc, accOff + i * ld, w);
                    }
                }
                if (!direct) {
                    for (int i = 0; i < h; i++) {
                        Elementwise.scatter(java.util.Arrays.copyOfRange(acc, i * w, i * w + w), w, o, oBase + i * d.som, d.son);
                    }
                }
            } else {
                for (int i = 0; i < h; i++) {
                    int aRow = aBase + i * d.sam;
                    for (int j = 0; j < w; j++) {
                        float s = 0f;
                        int bc = bBase + j * d.sbn;
                        for (int p = 0; p < kk; p++) {
                            s = Math.fma(a[aRow + p * d.sak], b[bc + p * d.sbk], s);
                        }
                        o[oBase + i * d.som + j * d.son] = s;
                    }
                }
            }
            if (epilogue != null) {
                epilogue.apply(o, oBase, d.som, h, w, j0);
            }
        });
    }

    static final int SKINNY_ROWS = 32;
    static final int SKINNY_COLS = 256;
    /**
     * A skinny product of at least this many multiply-adds with fewer blocks than threads has its columns cut so
     * that every thread reads part of B: at batch 1 a layer is a matrix-vector product bound by reading the weights.
     */
    static final long SKINNY_SPLIT_WORK = 1L << 16;

    // =================================================================== other dtypes

    private static void simple(DType dt, Object a, Object b, Object o, Dims d) {
        int m = d.m, n = d.n, kk = d.kk;
        long work = (long) d.batch * m * n * kk;
        Parallel.forChunks(d.batch * m, 1, work >= 64 * 1024 ? 0 : Integer.MAX_VALUE, (t, tEnd) -> {
            int i = t % m;
            int bi = t / m;
            int aRow = d.aOff + bi * d.sab + i * d.sam;
            int bBase = d.bOff + bi * d.sbb;
            int oRow = d.oOff + bi * d.sob + i * d.som;
            switch (dt) {
                case FLOAT64 -> {
                    double[] x = (double[]) a, y = (double[]) b, z = (double[]) o;
                    for (int j = 0; j < n; j++) z[oRow + j * d.son] = 0;
                    for (int p = 0; p < kk; p++) {
                        double av = x[aRow + p * d.sak];
                        int br = bBase + p * d.sbk;
                        for (int j = 0; j < n; j++) z[oRow + j * d.son] += av * y[br + j * d.sbn];
                    }
                }
                case INT64 -> {
                    long[] x = (long[]) a, y = (long[]) b, z = (long[]) o;
                    for (int j = 0; j < n; j++) z[oRow + j * d.son] = 0;
                    for (int p = 0; p < kk; p++) {
                        long av = x[aRow + p * d.sak];
                        int br = bBase + p * d.sbk;
                        for (int j = 0; j < n; j++) z[oRow + j * d.son] += av * y[br + j * d.sbn];
                    }
                }
                case INT32 -> {
                    int[] x = (int[]) a, y = (int[]) b, z = (int[]) o;
                    for (int j = 0; j < n; j++) z[oRow + j * d.son] = 0;
                    for (int p = 0; p < kk; p++) {
                        int av = x[aRow + p * d.sak];
                        int br = bBase + p * d.sbk;
                        for (int j = 0; j < n; j++) z[oRow + j * d.son] += av * y[br + j * d.sbn];
                    }
                }
                default -> throw new IllegalStateException(dt.toString());
            }
        });
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
