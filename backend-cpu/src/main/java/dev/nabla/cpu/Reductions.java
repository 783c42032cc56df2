package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.ReduceOp;

import static dev.nabla.cpu.Elementwise.buf;
import static dev.nabla.cpu.Elementwise.unsupported;
import static dev.nabla.cpu.Scratch.BLOCK;

/**
 * Reductions over a set of axes. The axes of {@code x} are split into kept axes (one output element per
 * index) and reduced axes; each group is collapsed separately. FLOAT32 then runs in one of two shapes:
 * <ul>
 *   <li>row mode, when the innermost reduced axis is the contiguous one (e.g. a sum over the last axis):
 *       each output reduces contiguous runs with the flat kernels; a long reduction is cut into fixed
 *       chunks of {@link #CHUNK} elements whose partials are combined in order;</li>
 *   <li>column mode, when the innermost kept axis is contiguous (e.g. column sums of [batch, features]):
 *       rows of {@code x} are accumulated into an output row, in blocks of {@link #ROW_BLOCK} rows for
 *       accuracy, never transposing {@code x}.</li>
 * </ul>
 * Work is split over output elements (and over chunks with fixed boundaries), so every output is computed
 * by the same sequence of operations whatever the thread count.
 */
final class Reductions {
    /** Reduced elements per partial result of one output in row mode. */
    static final int CHUNK = 64 * 1024;
    /** Rows summed into a block before the block is added to the running total (column mode). */
    static final int ROW_BLOCK = 64;

    private final FloatKernels k;

    Reductions(FloatKernels kernels) {
        this.k = kernels;
    }

    /** Collapsed kept and reduced axes of one reduction. */
    private static final class Axes {
        int[] keptShape;
        int[] keptX;
        int[] keptOut;
        int[] redShape;
        int[] redX;
    }

    private static Axes axes(Layout x, Layout out, int[] dims) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int nk = 0;
        int nr = 0;
        int[] ks = new int[rank], kx = new int[rank], ko = new int[rank], rs = new int[rank], rx = new int[rank];
        for (int d = 0; d < rank; d++) {
            int size = x.shape()[d];
            if (size == 1) {
                continue;
            }
            if (reduced[d]) {
                if (nr > 0 && rx[nr - 1] == x.strides()[d] * size) {
                    rs[nr - 1] *= size;
                    rx[nr - 1] = x.strides()[d];
                } else {
                    rs[nr] = size;
                    rx[nr] = x.strides()[d];
                    nr++;
                }
            } else {
                if (nk > 0 && kx[nk - 1] == x.strides()[d] * size && ko[nk - 1] == out.strides()[d] * size) {
                    ks[nk - 1] *= size;
                    kx[nk - 1] = x.strides()[d];
                    ko[nk - 1] = out.strides()[d];
                } else {
                    ks[nk] = size;
                    kx[nk] = x.strides()[d];
                    ko[nk] = out.strides()[d];
                    nk++;
                }
            }
        }
        Axes a = new Axes();
        a.keptShape = java.util.Arrays.copyOf(ks, nk);
        a.keptX = java.util.Arrays.copyOf(kx, nk);
        a.keptOut = java.util.Arrays.copyOf(ko, nk);
        a.redShape = java.util.Arrays.copyOf(rs, nr);
        a.redX = java.util.Arrays.copyOf(rx, nr);
        return a;
    }

    void reduce(ReduceOp op, Operand x, int[] dims, Operand out) {
        if (out.numel() == 0) {
            return;
        }
        if (x.numel() == 0) {
            switch (op) {
                case SUM -> Elementwise.fill(out, 0);
                case PROD -> Elementwise.fill(out, 1);
                default -> throw new IllegalArgumentException(op + " of an empty axis is undefined (x shape "
                        + java.util.Arrays.toString(x.shape()) + ", dims " + java.util.Arrays.toString(dims) + ")");
            }
            return;
        }
        Axes ax = axes(x.layout(), out.layout(), dims);
        Plan kept = Plan.raw(ax.keptShape, new int[][] {ax.keptX, ax.keptOut},
                new int[] {x.layout().offset(), out.layout().offset()});
        Plan red = Plan.raw(ax.redShape, new int[][] {ax.redX}, new int[] {0});
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
            arg(op, x, buf(out).longs(), kept, red);
            return;
        }
        if (ax.redShape.length == 0) { // only size-1 axes are reduced: a copy
            Elementwise.copy(x, out);
            return;
        }
        DType dt = x.dtype();
        switch (dt) {
            case FLOAT32 -> {
                float[] xa = buf(x).floats();
                float[] oa = buf(out).floats();
                int nk = ax.keptShape.length;
                boolean rowMode = ax.redX[ax.redX.length - 1] == 1;
                if (!rowMode && nk > 0 && ax.keptX[nk - 1] == 1) {
                    columns(op, xa, oa, ax, x.layout().offset(), out.layout().offset(), red);
                } else {
                    rows(op, xa, oa, kept, red);
                }
            }
            case FLOAT64 -> generic(op, dt, buf(x).doubles(), buf(out).doubles(), kept, red);
            case INT64 -> generic(op, dt, buf(x).longs(), buf(out).longs(), kept, red);
            case INT32 -> generic(op, dt, buf(x).ints(), buf(out).ints(), kept, red);
            case BOOL -> {
                if (op != ReduceOp.MAX && op != ReduceOp.MIN) {
                    throw unsupported(op, dt);
                }
                generic(op, dt, buf(x).bools(), buf(out).bools(), kept, red);
            }
        }
    }

    // =================================================================== FLOAT32 row mode

    private void rows(ReduceOp op, float[] xa, float[] oa, Plan kept, Plan red) {
        int outs = kept.numel;
        int r = red.numel;
        int chunks = (r + CHUNK - 1) / CHUNK;
        int kxs = kept.innerStride(0);
        int kos = kept.innerStride(1);
        long work = (long) outs * r;
        int minParallel = work >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE;
        if (chunks == 1) {
            int grain = Math.max(1, Parallel.MIN_PARALLEL_ELEMENTS / r);
            Parallel.forChunks(outs, grain, minParallel, (lo, hi) -> kept.forRows(lo, hi, (offs, n) -> {
                for (int i = 0; i < n; i++) {
                    oa[offs[1] + i * kos] = (float) partial(op, xa, offs[0] + i * kxs, red, 0, r);
                }
            }));
            return;
        }
        double[] partials = new double[outs * chunks];
        Parallel.forChunks(outs * chunks, 1, minParallel, (t, tEnd) -> {
            int o = t / chunks;
            int c = t % chunks;
            kept.forRows(o, o + 1, (offs, n) ->
                    partials[t] = partial(op, xa, offs[0], red, c * CHUNK, Math.min(r, (c + 1) * CHUNK)));
        });
        int[] next = {0};
        kept.forRows(0, outs, (offs, n) -> {
            for (int i = 0; i < n; i++) {
                int o = next[0]++;
                double acc = partials[o * chunks];
                for (int c = 1; c < chunks; c++) {
                    acc = combine(op, acc, partials[o * chunks + c]);
                }
                oa[offs[1] + i * kos] = (float) acc;
            }
        });
    }

    private static double combine(ReduceOp op, double acc, double v) {
        return switch (op) {
            case SUM -> acc + v;
            case PROD -> acc * v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
            default -> throw new IllegalStateException(op.toString());
        };
    }

    /** Reduction of elements {@code [lo, hi)} of the reduced index space starting at {@code base}. */
    private double partial(ReduceOp op, float[] xa, int base, Plan red, int lo, int hi) {
        int rs = red.innerStride(0);
        if (red.rank == 1) {
            return piece(op, xa, base + lo * rs, rs, hi - lo);
        }
        double[] acc = {Double.NaN};
        boolean[] first = {true};
        red.forRows(lo, hi, new int[] {base}, (offs, n) -> {
            double v = piece(op, xa, offs[0], rs, n);
            acc[0] = first[0] ? v : combine(op, acc[0], v);
            first[0] = false;
        });
        return acc[0];
    }

    private double piece(ReduceOp op, float[] xa, int off, int stride, int n) {
        if (n <= SHORT_RUN) {
            return shortPiece(op, xa, off, stride, n);
        }
        if (stride == 1) {
            return switch (op) {
                case SUM -> k.sum(xa, off, n);
                case PROD -> k.prod(xa, off, n);
                case MAX -> k.max(xa, off, n);
                case MIN -> k.min(xa, off, n);
                default -> throw new IllegalStateException(op.toString());
            };
        }
        float[] tmp = Scratch.get().f2;
        double acc = 0;
        for (int s = 0; s < n; s += BLOCK) {
            int m = Math.min(BLOCK, n - s);
            Elementwise.gather(xa, off + s * stride, stride, m, tmp);
            double v = piece(op, tmp, 0, 1, m);
            acc = s == 0 ? v : combine(op, acc, v);
        }
        return acc;
    }

    /** Runs up to this long are reduced by a scalar loop: cheaper than a kernel call. */
    static final int SHORT_RUN = 32;

    private static double shortPiece(ReduceOp op, float[] x, int p, int stride, int n) {
        switch (op) {
            case SUM -> {
                double s = 0;
                for (int i = 0; i < n; i++, p += stride) s += x[p];
                return s;
            }
            case PROD -> {
                double s = 1;
                for (int i = 0; i < n; i++, p += stride) s *= x[p];
                return s;
            }
            case MAX -> {
                float m = x[p];
                for (int i = 0; i < n; i++, p += stride) m = Math.max(m, x[p]);
                return m;
            }
            case MIN -> {
                float m = x[p];
                for (int i = 0; i < n; i++, p += stride) m = Math.min(m, x[p]);
                return m;
            }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    // =================================================================== FLOAT32 column mode

    private void columns(ReduceOp op, float[] xa, float[] oa, Axes ax, int xOff, int oOff, Plan red) {
        int nk = ax.keptShape.length;
        int width = ax.keptShape[nk - 1];
        int innerOut = ax.keptOut[nk - 1];
        Plan outer = Plan.raw(java.util.Arrays.copyOf(ax.keptShape, nk - 1),
                new int[][] {java.util.Arrays.copyOf(ax.keptX, nk - 1), java.util.Arrays.copyOf(ax.keptOut, nk - 1)},
                new int[] {xOff, oOff});
        int colChunks = (width + BLOCK - 1) / BLOCK;
        int tasks = outer.numel * colChunks;
        long work = (long) outer.numel * width * red.numel;
        BinaryOp combineOp = switch (op) {
            case SUM -> BinaryOp.ADD;
            case PROD -> BinaryOp.MUL;
            case MAX -> BinaryOp.MAXIMUM;
            case MIN -> BinaryOp.MINIMUM;
            default -> throw new IllegalStateException(op.toString());
        };
        int rows = red.numel;
        int rs = red.innerStride(0);
        Parallel.forChunks(tasks, 1, work >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE, (t, tEnd) -> {
            int o = t / colChunks;
            int j0 = (t % colChunks) * BLOCK;
            int m = Math.min(BLOCK, width - j0);
            outer.forRows(o, o + 1, (offs, ignored) -> {
                Scratch sc = Scratch.get();
                float[] total = sc.f0;
                float[] block = sc.f1;
                int[] count = {0};
                red.forRows(0, rows, new int[] {offs[0] + j0}, (roffs, n) -> {
                    int row = roffs[0];
                    for (int i = 0; i < n; i++, row += rs) {
                        int r = count[0]++;
                        if (r % ROW_BLOCK == 0) {
                            System.arraycopy(xa, row, block, 0, m);
                        } else {
                            combineRow(combineOp, block, xa, row, m);
                        }
                        if ((r + 1) % ROW_BLOCK == 0 || r + 1 == rows) {
                            if (r < ROW_BLOCK) {
                                System.arraycopy(block, 0, total, 0, m);
                            } else {
                                combineRow(combineOp, total, block, 0, m);
                            }
                        }
                    }
                });
                int dst = offs[1] + j0 * innerOut;
                if (innerOut == 1) {
                    System.arraycopy(total, 0, oa, dst, m);
                } else {
                    Elementwise.scatter(total, m, oa, dst, innerOut);
                }
            });
        });
    }

    /** {@code acc[j] = acc[j] op x[off + j]}: the flat kernel, or a scalar loop for narrow rows (same rounding). */
    private void combineRow(BinaryOp op, float[] acc, float[] x, int off, int m) {
        if (m >= Elementwise.SHORT_ROW) {
            k.binary(op, acc, 0, x, off, acc, 0, m);
            return;
        }
        switch (op) {
            case ADD -> { for (int j = 0; j < m; j++) acc[j] += x[off + j]; }
            case MUL -> { for (int j = 0; j < m; j++) acc[j] *= x[off + j]; }
            case MAXIMUM -> { for (int j = 0; j < m; j++) acc[j] = Math.max(acc[j], x[off + j]); }
            case MINIMUM -> { for (int j = 0; j < m; j++) acc[j] = Math.min(acc[j], x[off + j]); }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    // =================================================================== other dtypes

    private static void generic(ReduceOp op, DType dt, Object xa, Object oa, Plan kept, Plan red) {
        int outs = kept.numel;
        int r = red.numel;
        int kxs = kept.innerStride(0);
        int kos = kept.innerStride(1);
        int rs = red.innerStride(0);
        int minParallel = (long) outs * r >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE;
        int grain = Math.max(1, Parallel.MIN_PARALLEL_ELEMENTS / r);
        Parallel.forChunks(outs, grain, minParallel, (lo, hi) -> kept.forRows(lo, hi, (offs, n) -> {
            for (int i = 0; i < n; i++) {
                int base = offs[0] + i * kxs;
                int dst = offs[1] + i * kos;
                switch (dt) {
                    case FLOAT64 -> {
                        double[] acc = {op == ReduceOp.PROD ? 1 : op == ReduceOp.SUM ? 0 : Double.NaN};
                        boolean[] first = {true};
                        double[] x = (double[]) xa;
                        red.forRows(0, r, new int[] {base}, (ro, len) -> {
                            int p = ro[0];
                            double a = acc[0];
                            switch (op) {
                                case SUM -> { for (int j = 0; j < len; j++, p += rs) a += x[p]; }
                                case PROD -> { for (int j = 0; j < len; j++, p += rs) a *= x[p]; }
                                case MAX -> {
                                    if (first[0]) a = x[p];
                                    for (int j = 0; j < len; j++, p += rs) a = Math.max(a, x[p]);
                                }
                                case MIN -> {
                                    if (first[0]) a = x[p];
                                    for (int j = 0; j < len; j++, p += rs) a = Math.min(a, x[p]);
                                }
                                default -> throw new IllegalStateException(op.toString());
                            }
                            first[0] = false;
                            acc[0] = a;
                        });
                        ((double[]) oa)[dst] = acc[0];
                    }
                    case INT64, INT32 -> {
                        long[] acc = {op == ReduceOp.PROD ? 1 : 0};
                        boolean[] first = {true};
                        red.forRows(0, r, new int[] {base}, (ro, len) -> {
                            if (dt == DType.INT64) {
                                acc[0] = reduceLongs(op, (long[]) xa, ro[0], rs, len, acc[0], first[0]);
                            } else {
                                acc[0] = reduceInts(op, (int[]) xa, ro[0], rs, len, acc[0], first[0]);
                            }
                            first[0] = false;
                        });
                        if (dt == DType.INT64) {
                            ((long[]) oa)[dst] = acc[0];
                        } else {
                            ((int[]) oa)[dst] = (int) acc[0];
                        }
                    }
                    case BOOL -> { // MAX is "any", MIN is "all"
                        boolean any = op == ReduceOp.MAX;
                        boolean[] acc = {!any};
                        boolean[] x = (boolean[]) xa;
                        red.forRows(0, r, new int[] {base}, (ro, len) -> {
                            int p = ro[0];
                            for (int j = 0; j < len && acc[0] != any; j++, p += rs) {
                                if (x[p] == any) {
                                    acc[0] = any;
                                }
                            }
                        });
                        ((boolean[]) oa)[dst] = acc[0];
                    }
                    default -> throw unsupported(op, dt);
                }
            }
        }));
    }

    private static long reduceLongs(ReduceOp op, long[] x, int p, int rs, int len, long a, boolean first) {
        switch (op) {
            case SUM -> { for (int j = 0; j < len; j++, p += rs) a += x[p]; }
            case PROD -> { for (int j = 0; j < len; j++, p += rs) a *= x[p]; }
            case MAX -> {
                if (first) a = x[p];
                for (int j = 0; j < len; j++, p += rs) a = Math.max(a, x[p]);
            }
            case MIN -> {
                if (first) a = x[p];
                for (int j = 0; j < len; j++, p += rs) a = Math.min(a, x[p]);
            }
            default -> throw new IllegalStateException(op.toString());
        }
        return a;
    }

    private static long reduceInts(ReduceOp op, int[] x, int p, int rs, int len, long a, boolean first) {
        switch (op) {
            case SUM -> { for (int j = 0; j < len; j++, p += rs) a += x[p]; }
            case PROD -> { for (int j = 0; j < len; j++, p += rs) a *= x[p]; }
            case MAX -> {
                if (first) a = x[p];
                for (int j = 0; j < len; j++, p += rs) a = Math.max(a, x[p]);
            }
            case MIN -> {
                if (first) a = x[p];
                for (int j = 0; j < len; j++, p += rs) a = Math.min(a, x[p]);
            }
            default -> throw new IllegalStateException(op.toString());
        }
        return a;
    }

    // =================================================================== argmax / argmin

    /** First index of the maximum (minimum) along the one reduced axis; a NaN wins and the first NaN stays. */
    private void arg(ReduceOp op, Operand x, long[] oa, Plan kept, Plan red) {
        int outs = kept.numel;
        int r = red.numel;
        int rs = red.innerStride(0);
        int kxs = kept.innerStride(0);
        int kos = kept.innerStride(1);
        boolean max = op == ReduceOp.ARGMAX;
        DType dt = x.dtype();
        Object xa = buf(x).array();
        if (dt == DType.BOOL) {
            throw unsupported(op, dt);
        }
        int minParallel = (long) outs * r >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE;
        int grain = Math.max(1, Parallel.MIN_PARALLEL_ELEMENTS / Math.max(1, r));
        Parallel.forChunks(outs, grain, minParallel, (lo, hi) -> kept.forRows(lo, hi, (offs, n) -> {
            for (int i = 0; i < n; i++) {
                int p = offs[0] + i * kxs;
                long best = r == 1 ? 0 : switch (dt) {
                    case FLOAT32 -> rs == 1 && r >= 64 ? argF32Flat((float[]) xa, p, r, max) : argF32((float[]) xa, p, rs, r, max);
                    case FLOAT64 -> argF64((double[]) xa, p, rs, r, max);
                    case INT64 -> argI64((long[]) xa, p, rs, r, max);
                    case INT32 -> argI32((int[]) xa, p, rs, r, max);
                    case BOOL, INT8, BFLOAT16, FLOAT16 -> throw unsupported(op, dt);
                };
                oa[offs[1] + i * kos] = best;
            }
        }));
    }

    /** Long contiguous rows: the SIMD max (or min), then the first element equal to it (or the first NaN). */
    private int argF32Flat(float[] x, int p, int r, boolean max) {
        float m = max ? k.max(x, p, r) : k.min(x, p, r);
        if (m != m) {
            for (int i = 0; i < r; i++) {
                if (x[p + i] != x[p + i]) {
                    return i;
                }
            }
        }
        for (int i = 0; i < r; i++) {
            if (x[p + i] == m) {
                return i;
            }
        }
        throw new IllegalStateException("no element equals the row's extremum " + m);
    }

    private static int argF32(float[] x, int p, int rs, int r, boolean max) {
        float best = x[p];
        int bi = 0;
        if (best != best) {
            return 0;
        }
        p += rs;
        for (int i = 1; i < r; i++, p += rs) {
            float v = x[p];
            if (max ? v > best : v < best) {
                best = v;
                bi = i;
            } else if (v != v) {
                return i;
            }
        }
        return bi;
    }

    private static int argF64(double[] x, int p, int rs, int r, boolean max) {
        double best = x[p];
        int bi = 0;
        if (best != best) {
            return 0;
        }
        p += rs;
        for (int i = 1; i < r; i++, p += rs) {
            double v = x[p];
            if (max ? v > best : v < best) {
                best = v;
                bi = i;
            } else if (v != v) {
                return i;
            }
        }
        return bi;
    }

    private static int argI64(long[] x, int p, int rs, int r, boolean max) {
        long best = x[p];
        int bi = 0;
        p += rs;
        for (int i = 1; i < r; i++, p += rs) {
            long v = x[p];
            if (max ? v > best : v < best) {
                best = v;
                bi = i;
            }
        }
        return bi;
    }

    private static int argI32(int[] x, int p, int rs, int r, boolean max) {
        int best = x[p];
        int bi = 0;
        p += rs;
        for (int i = 1; i < r; i++, p += rs) {
            int v = x[p];
            if (max ? v > best : v < best) {
                best = v;
                bi = i;
            }
        }
        return bi;
    }
}
