package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

import static dev.nabla.cpu.Elementwise.buf;
import static dev.nabla.cpu.Elementwise.unsupported;

/** gather, scatterAdd and indexSelect with PyTorch semantics; indices are INT64 and never negative. */
final class Indexing {
    private Indexing() {
    }

    private static IndexOutOfBoundsException outOfRange(String op, long index, int dim, int size) {
        return new IndexOutOfBoundsException(op + ": index " + index + " is out of bounds for dim " + dim
                + " with size " + size);
    }

    /** Strides of {@code l} with {@code dim}'s stride set to 0. */
    private static int[] withoutDim(Layout l, int dim) {
        int[] s = l.strides().clone();
        s[dim] = 0;
        return s;
    }

    // =================================================================== gather

    /** {@code out[i][j][k] = src[index[i][j][k]][j][k]} for dim 0, and so on. */
    static void gather(Operand src, int dim, Operand index, Operand out) {
        Layout il = index.layout();
        if (il.numel() == 0) {
            return;
        }
        Layout sl = src.layout();
        Plan p = Plan.raw(il.shape(), new int[][] {out.layout().strides(), il.strides(), withoutDim(sl, dim)},
                new int[] {out.layout().offset(), il.offset(), sl.offset()});
        int size = sl.shape()[dim];
        int dimStride = sl.strides()[dim];
        long[] idx = buf(index).longs();
        Object sa = buf(src).array();
        Object oa = buf(out).array();
        DType dt = src.dtype();
        int os = p.innerStride(0);
        int is = p.innerStride(1);
        int ss = p.innerStride(2);
        p.run((offs, n) -> {
            int io = offs[1];
            for (int i = 0; i < n; i++, io += is) {
                long v = idx[io];
                if (v < 0 || v >= size) {
                    throw outOfRange("gather", v, dim, size);
                }
            }
            int oo = offs[0];
            int so = offs[2];
            io = offs[1];
            switch (dt) {
                case FLOAT32 -> {
                    float[] o = (float[]) oa;
                    float[] s = (float[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
                case FLOAT64 -> {
                    double[] o = (double[]) oa;
                    double[] s = (double[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
                case INT64 -> {
                    long[] o = (long[]) oa;
                    long[] s = (long[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
                case INT32 -> {
                    int[] o = (int[]) oa;
                    int[] s = (int[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
                case BOOL -> {
                    boolean[] o = (boolean[]) oa;
                    boolean[] s = (boolean[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
                case BFLOAT16, FLOAT16 -> {
                    short[] o = (short[]) oa;
                    short[] s = (short[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
                case INT8 -> {
                    byte[] o = (byte[]) oa;
                    byte[] s = (byte[]) sa;
                    for (int i = 0; i < n; i++, oo += os, io += is, so += ss) o[oo] = s[so + (int) idx[io] * dimStride];
                }
            }
        });
    }

    // =================================================================== scatterAdd

    /**
     * {@code dst[index[i][j][k]][j][k] += src[i][j][k]} for dim 0, and so on. Indices are checked before
     * anything is written. Work is split over the fibers along {@code dim}: all updates of one destination
     * element come from one fiber and are applied in index order, so the result is deterministic.
     */
    static void scatterAdd(Operand dst, int dim, Operand index, Operand src) {
        Layout il = index.layout();
        if (il.numel() == 0) {
            return;
        }
        Layout dl = dst.layout();
        Layout sl = src.layout();
        int rank = il.rank();
        // move dim to the innermost position so that one row is one fiber
        int[] perm = new int[rank];
        for (int d = 0, j = 0; d < rank; d++) {
            if (d != dim) {
                perm[j++] = d;
            }
        }
        perm[rank - 1] = dim;
        int[] shape = permute(il.shape(), perm);
        int[] ds = permute(withoutDim(dl, dim), perm);
        Plan p = Plan.raw(shape, new int[][] {ds, permute(il.strides(), perm), permute(sl.strides(), perm)},
                new int[] {dl.offset(), il.offset(), sl.offset()});
        int size = dl.shape()[dim];
        int dimStride = dl.strides()[dim];
        long[] idx = buf(index).longs();
        p.forRows(0, p.numel, (offs, n) -> {
            int is = p.innerStride(1);
            for (int i = 0, io = offs[1]; i < n; i++, io += is) {
                long v = idx[io];
                if (v < 0 || v >= size) {
                    throw outOfRange("scatterAdd", v, dim, size);
                }
            }
        });
        Object da = buf(dst).array();
        Object sa = buf(src).array();
        DType dt = dst.dtype();
        if (dt == DType.BOOL) {
            throw new UnsupportedOperationException("cpu backend: scatterAdd is not supported for BOOL");
        }
        int fiber = shape[rank - 1];
        int fibers = p.numel / fiber;
        int grain = Math.max(1, Plan.GRAIN / fiber);
        int is = p.innerStride(1);
        int ss = p.innerStride(2);
        Parallel.forChunks(fibers, grain, p.numel >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE,
                (lo, hi) -> p.forRows(lo * fiber, hi * fiber, (offs, n) -> {
                    int dBase = offs[0], io = offs[1], so = offs[2];
                    switch (dt) {
                        case FLOAT32 -> {
                            float[] d = (float[]) da;
                            float[] s = (float[]) sa;
                            for (int i = 0; i < n; i++, io += is, so += ss) d[dBase + (int) idx[io] * dimStride] += s[so];
                        }
                        case FLOAT64 -> {
                            double[] d = (double[]) da;
                            double[] s = (double[]) sa;
                            for (int i = 0; i < n; i++, io += is, so += ss) d[dBase + (int) idx[io] * dimStride] += s[so];
                        }
                        case INT64 -> {
                            long[] d = (long[]) da;
                            long[] s = (long[]) sa;
                            for (int i = 0; i < n; i++, io += is, so += ss) d[dBase + (int) idx[io] * dimStride] += s[so];
                        }
                        case INT32 -> {
                            int[] d = (int[]) da;
                            int[] s = (int[]) sa;
                            for (int i = 0; i < n; i++, io += is, so += ss) d[dBase + (int) idx[io] * dimStride] += s[so];
                        }
                        case BOOL -> throw unsupported(dev.nabla.spi.ReduceOp.SUM, dt);
                    }
                }));
    }

    private static int[] permute(int[] a, int[] perm) {
        int[] r = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            r[i] = a[perm[i]];
        }
        return r;
    }

    // =================================================================== indexSelect

    /** Selects slices of {@code src} along {@code dim} by the 1-D {@code index}. */
    static void indexSelect(Operand src, int dim, Operand index, Operand out) {
        Layout il = index.layout();
        int n = il.numel();
        if (n == 0 || out.numel() == 0) {
            return;
        }
        Layout sl = src.layout();
        Layout ol = out.layout();
        int size = sl.shape()[dim];
        long[] idx = buf(index).longs();
        int istride = il.rank() == 0 ? 0 : il.strides()[0];
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) {
            long v = idx[il.offset() + i * istride];
            if (v < 0 || v >= size) {
                throw outOfRange("indexSelect", v, dim, size);
            }
            pos[i] = (int) v;
        }
        int[] sliceShape = drop(sl.shape(), dim);
        int[] srcStrides = drop(sl.strides(), dim);
        int[] outStrides = drop(ol.strides(), dim);
        int sliceNumel = ol.numel() / n;
        CpuBuffer sb = buf(src);
        CpuBuffer ob = buf(out);
        int grain = Math.max(1, Plan.GRAIN / Math.max(1, sliceNumel));
        Parallel.forChunks(n, grain, ol.numel() >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                Layout from = new Layout(sliceShape, srcStrides, sl.offset() + pos[i] * sl.strides()[dim]);
                Layout to = new Layout(sliceShape, outStrides, ol.offset() + i * ol.strides()[dim]);
                Elementwise.copy(new Operand(sb, from), new Operand(ob, to));
            }
        });
    }

    private static int[] drop(int[] a, int dim) {
        int[] r = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) {
            if (i != dim) {
                r[j++] = a[i];
            }
        }
        return r;
    }
}
