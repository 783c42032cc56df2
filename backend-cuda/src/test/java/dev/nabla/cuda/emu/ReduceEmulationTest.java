package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.cuda.kernels.KernelCalls;
import dev.nabla.cuda.kernels.ReducePlan;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Layout;
import dev.nabla.spi.ReduceOp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static dev.nabla.DType.BOOL;
import static dev.nabla.DType.FLOAT32;
import static dev.nabla.DType.FLOAT64;
import static dev.nabla.DType.INT32;
import static dev.nabla.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * reduce.cu through the emulation: both launch shapes (block per output with a shared-memory tree, thread per
 * output), every op and dtype, random axis sets over strided, permuted and broadcast inputs, against the CPU
 * backend's Reductions (restated): exact for integers, max/min, arg*, any/all; to rounding for float sums and
 * products (the summation order differs).
 */
class ReduceEmulationTest extends EmulationTestBase {
    private static final int[][] SHAPES = {{1000}, {4, 250}, {2, 3, 4}, {3, 1, 5, 2}, {7, 1}, {5, 7, 3}, {33, 31},
        {1}, {2, 300}, {300, 3}, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}};

    @Test
    void everyReductionMatchesTheCpuBackend() throws IOException {
        Random r = new Random(11);
        for (DType d : new DType[] {FLOAT32, FLOAT64, INT32, INT64, BOOL}) {
            String[] ops = d == BOOL ? new String[] {"max", "min"} : new String[] {"sum", "prod", "max", "min", "argmax", "argmin"};
            for (String op : ops) {
                for (String variant : new String[] {"nabla_reduce_", "nabla_reduce_thread_", "split:"}) {
                    for (int c = 0; c < 10; c++) {
                        reduceCase(r, variant + op + "_" + Host.suffix(d), op, d, SHAPES[r.nextInt(SHAPES.length)], null);
                        // (split: the partial/finish pair with 1 to 7 chunks per output)
                    }
                }
            }
        }
    }

    @Test
    void aMillionElementSumInOneBlock() throws IOException {
        Random r = new Random(12);
        reduceCase(r, "nabla_reduce_sum_f32", "sum", FLOAT32, new int[] {1000, 1000}, new int[] {0, 1});
        reduceCase(r, "split:sum_f64", "sum", FLOAT64, new int[] {1000, 1000}, new int[] {0, 1});
        reduceCase(r, "split:argmax_i64", "argmax", INT64, new int[] {2, 300000}, new int[] {1});
        reduceCase(r, "nabla_reduce_max_f64", "max", FLOAT64, new int[] {1000, 1000}, new int[] {0, 1});
        reduceCase(r, "nabla_reduce_argmin_f32", "argmin", FLOAT32, new int[] {3, 100003}, new int[] {1});
    }

    private static int[] randomDims(Random r, int rank, boolean one) {
        if (rank == 0) {
            return new int[0];
        }
        if (one) {
            return new int[] {r.nextInt(rank)};
        }
        int[] dims;
        do {
            final int mask = r.nextInt(1 << rank);
            dims = java.util.stream.IntStream.range(0, rank).filter(k -> (mask >> k & 1) != 0).toArray();
        } while (dims.length == 0);
        return dims;
    }

    private static void reduceCase(Random r, String kernel, String op, DType d, int[] shape, int[] dimsOrNull)
            throws IOException {
        boolean arg = op.startsWith("arg");
        int rank = shape.length;
        int[] dims = dimsOrNull != null ? dimsOrNull : randomDims(r, rank, arg);
        int[] outShape = shape.clone();
        for (int k : dims) {
            outShape[k] = 1;
        }
        DType outType = arg ? INT64 : d;
        Layout xl = Host.randomLayout(r, shape, true);
        Layout ol = Host.randomLayout(r, outShape, false);
        Object xh = values(r, d, op, Host.span(xl));
        Object oh = Host.randomArray(outType, Host.span(ol), r, false);
        ReducePlan plan = ReducePlan.of(xl, ol, dims);
        DArr dx = upload(d, xh);
        DArr dout = upload(outType, oh);
        boolean block = !kernel.startsWith("nabla_reduce_thread_");
        int[] cfg = block ? new int[] {1 + r.nextInt(4), ReducePlan.BLOCK_THREADS} : config(r);
        String what = kernel + " x " + xl + " dims " + Arrays.toString(dims) + " out " + ol + " grid " + cfg[0] + "x" + cfg[1];
        if (kernel.startsWith("split:")) {
            // the split pair: partials of `splits` chunks per output into scratch, then the in-order combination
            String tail = kernel.substring("split:".length());
            int splits = 1 + r.nextInt(7);
            DArr scratch = alloc(DType.INT8, plan.nOut() * splits * KernelCalls.reduceAccumulatorBytes(
                    ReduceOp.valueOf(op.toUpperCase()), d));
            what += " splits " + splits;
            dev.launch("nabla_reduce_partial_" + tail, cfg[0], ReducePlan.BLOCK_THREADS, r.nextInt(3), dx.ptr(),
                    arg(plan.kept()), arg(plan.reduced()), scratch.ptr(), (long) plan.nOut(), (long) plan.nRed(), splits);
            dev.launch("nabla_reduce_finish_" + tail, 1 + r.nextInt(3), 1 + r.nextInt(64), r.nextInt(3), scratch.ptr(),
                    dout.ptr(), arg(plan.keptOut()), (long) plan.nOut(), splits);
            free(scratch);
        } else {
            dev.launch(kernel, cfg[0], cfg[1], r.nextInt(3), dx.ptr(), arg(plan.kept()), arg(plan.reduced()), dout.ptr(),
                    arg(plan.keptOut()), (long) plan.nOut(), (long) plan.nRed());
        }
        Object actual = download(dout);
        free(dx, dout);

        // reference: the reduced elements of each output in row-major order of the reduced axes
        int nOut = Host.numel(outShape);
        int n = Host.numel(shape);
        int nRed = n / nOut;
        Object[] groups = new Object[nOut];
        int[] fill = new int[nOut];
        for (int o = 0; o < nOut; o++) {
            groups[o] = JavaArrays.newArray(d, nRed);
        }
        int[] idx = new int[rank];
        for (int i = 0; i < n; i++) {
            int rem = i;
            for (int k = rank - 1; k >= 0; k--) {
                idx[k] = rem % shape[k];
                rem /= shape[k];
            }
            int o = 0;
            for (int k = 0; k < rank; k++) {
                o = o * outShape[k] + (outShape[k] == 1 ? 0 : idx[k]);
            }
            Host.set(groups[o], fill[o]++, Host.get(xh, Host.pos(xl, i)));
        }
        Object expected = Host.copy(oh);
        double[] scale = new double[nOut];
        for (int o = 0; o < nOut; o++) {
            Host.set(expected, Host.pos(ol, o), reduce(op, d, groups[o]));
            if (d == FLOAT32 || d == FLOAT64) {
                for (int j = 0; j < nRed; j++) {
                    scale[o] += Math.abs(((Number) Host.get(groups[o], j)).doubleValue());
                }
            }
        }
        if (!(d == FLOAT32 || d == FLOAT64) || !(op.equals("sum") || op.equals("prod"))) {
            Host.assertElements(what, outType, expected, actual, 0, false);
        } else {
            int len = Host.length(expected);
            for (int p = 0; p < len; p++) {
                double e = ((Number) Host.get(expected, p)).doubleValue();
                double a = ((Number) Host.get(actual, p)).doubleValue();
                if (Double.doubleToLongBits(e) == Double.doubleToLongBits(a) || Double.isNaN(e) && Double.isNaN(a)) {
                    continue;
                }
                int o = -1;
                for (int q = 0; q < nOut; q++) {
                    if (Host.pos(ol, q) == p) {
                        o = q;
                    }
                }
                boolean ok;
                if (o < 0 || Double.isInfinite(e) || Double.isNaN(e)) {
                    ok = false;
                } else if (op.equals("sum")) {
                    double ulp = d == FLOAT32 ? Math.ulp((float) e) : Math.ulp(e);
                    ok = Math.abs(a - e) <= ulp + 1e-13 * scale[o];
                } else {
                    ok = d == FLOAT32 ? Host.ulpDistance((float) e, (float) a) <= 1 : Host.ulpDistance(e, a) <= 4L * nRed;
                }
                if (!ok) {
                    fail(what + ": element " + p + " is " + a + ", expected " + e);
                }
            }
        }
        cases++;
    }

    private static Object values(Random r, DType d, String op, int n) {
        if (op.equals("prod") && (d == FLOAT32 || d == FLOAT64)) {
            Object a = JavaArrays.newArray(d, n);
            for (int i = 0; i < n; i++) {
                double v = r.nextInt(50) == 0 ? new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}[r.nextInt(4)]
                        : 0.5 + 1.5 * r.nextDouble();
                Host.set(a, i, d == FLOAT32 ? (Object) (float) v : (Object) v);
            }
            return a;
        }
        boolean edges = r.nextInt(3) == 0;
        Object a = Host.randomArray(d, n, r, edges);
        if (op.startsWith("arg") || op.equals("max") || op.equals("min")) {
            // ties: many equal values (first index wins), some signed zeros
            for (int i = 0; i < n; i++) {
                if (r.nextInt(3) == 0) {
                    Host.set(a, i, switch (d) {
                        case FLOAT32 -> (Object) (float) r.nextInt(3);
                        case FLOAT64 -> (Object) (r.nextBoolean() ? -0.0 : 0.0);
                        case INT32 -> (Object) r.nextInt(3);
                        case INT64 -> (Object) (long) r.nextInt(3);
                        default -> Host.get(a, i);
                    });
                }
            }
        }
        return a;
    }

    /** Reductions.java's semantics for one output. */
    static Object reduce(String op, DType d, Object g) {
        int n = Host.length(g);
        if (n == 1) { // only size-1 axes reduced: Reductions copies x
            return op.startsWith("arg") ? (Object) 0L : Host.get(g, 0);
        }
        switch (d) {
            case FLOAT32, FLOAT64 -> {
                if (op.startsWith("arg")) {
                    boolean max = op.equals("argmax");
                    double best = ((Number) Host.get(g, 0)).doubleValue();
                    if (best != best) {
                        return 0L;
                    }
                    long bi = 0;
                    for (int i = 1; i < n; i++) {
                        double v = ((Number) Host.get(g, i)).doubleValue();
                        if (max ? v > best : v < best) {
                            best = v;
                            bi = i;
                        } else if (v != v) {
                            return (long) i;
                        }
                    }
                    return bi;
                }
                double acc = switch (op) {
                    case "sum" -> 0;
                    case "prod" -> 1;
                    default -> ((Number) Host.get(g, 0)).doubleValue();
                };
                for (int i = 0; i < n; i++) {
                    double v = ((Number) Host.get(g, i)).doubleValue();
                    acc = switch (op) {
                        case "sum" -> acc + v;
                        case "prod" -> acc * v;
                        case "max" -> Math.max(acc, v);
                        case "min" -> Math.min(acc, v);
                        default -> throw new IllegalArgumentException(op);
                    };
                }
                return d == FLOAT32 ? (Object) (float) acc : (Object) acc;
            }
            case INT32, INT64 -> {
                if (op.startsWith("arg")) {
                    boolean max = op.equals("argmax");
                    long best = ((Number) Host.get(g, 0)).longValue();
                    long bi = 0;
                    for (int i = 1; i < n; i++) {
                        long v = ((Number) Host.get(g, i)).longValue();
                        if (max ? v > best : v < best) {
                            best = v;
                            bi = i;
                        }
                    }
                    return bi;
                }
                long acc = switch (op) {
                    case "sum" -> 0;
                    case "prod" -> 1;
                    default -> ((Number) Host.get(g, 0)).longValue();
                };
                for (int i = 0; i < n; i++) {
                    long v = ((Number) Host.get(g, i)).longValue();
                    acc = switch (op) {
                        case "sum" -> acc + v;
                        case "prod" -> acc * v;
                        case "max" -> Math.max(acc, v);
                        case "min" -> Math.min(acc, v);
                        default -> throw new IllegalArgumentException(op);
                    };
                }
                return d == INT32 ? (Object) (int) acc : (Object) acc;
            }
            case BOOL -> {
                boolean any = op.equals("max");
                boolean acc = !any;
                for (int i = 0; i < n; i++) {
                    if ((Boolean) Host.get(g, i) == any) {
                        acc = any;
                    }
                }
                return acc;
            }
            default -> throw new IllegalArgumentException(d.toString());
        }
    }

    @Test
    void planSplitsKeptAndReducedAxes() {
        Layout x = new Layout(new int[] {2, 3, 4}, new int[] {12, 4, 1}, 5);
        Layout out = new Layout(new int[] {2, 1, 4}, new int[] {4, 4, 1}, 2);
        ReducePlan p = ReducePlan.of(x, out, new int[] {1});
        assertEquals(new Layout(new int[] {2, 4}, new int[] {12, 1}, 5), p.kept());
        assertEquals(new Layout(new int[] {2, 4}, new int[] {4, 1}, 2), p.keptOut());
        assertEquals(new Layout(new int[] {3}, new int[] {4}, 0), p.reduced());
        assertEquals(8, p.nOut());
        assertEquals(3, p.nRed());
        // all axes of a contiguous tensor: one reduced axis, no kept axis
        ReducePlan all = ReducePlan.of(Layout.contiguous(4, 5, 6), Layout.contiguous(1, 1, 1), new int[] {0, 1, 2});
        assertEquals(0, all.kept().rank());
        assertEquals(new Layout(new int[] {120}, new int[] {1}, 0), all.reduced());
        assertEquals(1, all.nOut());
        assertEquals(120, all.nRed());
        // an empty reduced axis
        assertEquals(0, ReducePlan.of(Layout.contiguous(3, 0), Layout.contiguous(3, 1), new int[] {1}).nRed());
    }
}
