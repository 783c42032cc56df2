package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.HalfFloats;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Operand;
import dev.nabla.spi.UnaryOp;

import java.util.Arrays;

import static dev.nabla.cpu.Scratch.BLOCK;

/**
 * Elementwise primitives (unary, binary, where, copy, fill) over strided operands. FLOAT32 runs rows
 * through the flat {@link FloatKernels} (gathering strided rows into scratch blocks first); the other
 * dtypes run strided scalar loops. The op is switched on once per row, never per element.
 */
final class Elementwise {
    private final FloatKernels k;

    Elementwise(FloatKernels kernels) {
        this.k = kernels;
    }

    /** ReLU's gradient in one parallel pass; FLOAT32 contiguous operands only, else false (core composes it). */
    boolean reluBackward(Operand g, Operand x, Operand out) {
        for (Operand o : new Operand[] {g, x, out}) {
            if (o.dtype() != DType.FLOAT32 || !o.layout().isContiguous()) {
                return false;
            }
        }
        float[] ga = buf(g).floats(), xa = buf(x).floats(), oa = buf(out).floats();
        int go = g.layout().offset(), xo = x.layout().offset(), oo = out.layout().offset();
        Parallel.forChunks(out.numel(), Plan.GRAIN, Parallel.MIN_PARALLEL_ELEMENTS, (lo, hi) ->
                k.reluBackward(ga, go + lo, xa, xo + lo, oa, oo + lo, hi - lo));
        return true;
    }

    static CpuBuffer buf(Operand o) {
        if (o.buffer() instanceof CpuBuffer b) {
            return b;
        }
        throw new IllegalArgumentException("expected a buffer of the cpu backend, found "
                + (o.buffer() == null ? "null" : o.buffer().getClass().getName()));
    }

    static UnsupportedOperationException unsupported(Enum<?> op, DType dtype) {
        return new UnsupportedOperationException("cpu backend: " + op + " is not supported for " + dtype);
    }

    // =================================================================== unary

    void unary(UnaryOp op, Operand x, Operand out, double alpha) {
        Plan p = Plan.of(out.layout(), x.layout());
        if (p.numel == 0) {
            return;
        }
        int os = p.innerStride(0);
        int xs = p.innerStride(1);
        DType dt = x.dtype();
        switch (dt) {
            case FLOAT32 -> {
                if (op == UnaryOp.LOGICAL_NOT) {
                    throw unsupported(op, dt);
                }
                unaryF32(op, buf(x).floats(), buf(out).floats(), p, (float) alpha);
            }
            case FLOAT64 -> {
                if (op == UnaryOp.LOGICAL_NOT) {
                    throw unsupported(op, dt);
                }
                double[] xa = buf(x).doubles();
                double[] oa = buf(out).doubles();
                p.run((offs, n) -> unaryF64(op, xa, offs[1], xs, oa, offs[0], os, n, alpha));
            }
            case INT64 -> {
                if (!op.supportsIntegers()) {
                    throw unsupported(op, dt);
                }
                long[] xa = buf(x).longs();
                long[] oa = buf(out).longs();
                p.run((offs, n) -> unaryI64(op, xa, offs[1], xs, oa, offs[0], os, n));
            }
            case INT32 -> {
                if (!op.supportsIntegers()) {
                    throw unsupported(op, dt);
                }
                int[] xa = buf(x).ints();
                int[] oa = buf(out).ints();
                p.run((offs, n) -> unaryI32(op, xa, offs[1], xs, oa, offs[0], os, n));
            }
            case BOOL -> {
                if (op != UnaryOp.LOGICAL_NOT) {
                    throw unsupported(op, dt);
                }
                boolean[] xa = buf(x).bools();
                boolean[] oa = buf(out).bools();
                p.run((offs, n) -> {
                    int xo = offs[1];
                    int oo = offs[0];
                    for (int i = 0; i < n; i++, xo += xs, oo += os) {
                        oa[oo] = !xa[xo];
                    }
                });
            }
        }
    }

    private void unaryF32(UnaryOp op, float[] x, float[] o, Plan p, float alpha) {
        int os = p.innerStride(0);
        int xs = p.innerStride(1);
        p.run((offs, n) -> {
            int oo = offs[0];
            int xo = offs[1];
            if (xs == 1 && os == 1) {
                k.unary(op, x, xo, o, oo, n, alpha);
                return;
            }
            Scratch sc = Scratch.get();
            if (xs == 0) {
                sc.f0[0] = x[xo];
                k.unary(op, sc.f0, 0, sc.f0, 0, 1, alpha);
                fill(o, oo, os, n, sc.f0[0]);
                return;
            }
            for (int s = 0; s < n; s += BLOCK) {
                int m = Math.min(BLOCK, n - s);
                float[] src = x;
                int so = xo + s;
                if (xs != 1) {
                    gather(x, xo + s * xs, xs, m, sc.f0);
                    src = sc.f0;
                    so = 0;
                }
                if (os == 1) {
                    k.unary(op, src, so, o, oo + s, m, alpha);
                } else {
                    k.unary(op, src, so, sc.f1, 0, m, alpha);
                    scatter(sc.f1, m, o, oo + s * os, os);
                }
            }
        });
    }

    private static void unaryF64(UnaryOp op, double[] x, int xo, int xs, double[] o, int oo, int os, int n, double alpha) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = -x[xo]; }
            case ABS -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.abs(x[xo]); }
            case SIGN -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.signum(x[xo]); }
            case EXP -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.exp(x[xo]); }
            case EXPM1 -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.expm1(x[xo]); }
            case LOG -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.log(x[xo]); }
            case LOG1P -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.log1p(x[xo]); }
            case SQRT -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.sqrt(x[xo]); }
            case RSQRT -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = 1.0 / Math.sqrt(x[xo]); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = 1.0 / x[xo]; }
            case SIN -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.sin(x[xo]); }
            case COS -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.cos(x[xo]); }
            case TANH -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.tanh(x[xo]); }
            case SIGMOID -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = dev.nabla.cpu.kernels.ScalarMath.sigmoid(x[xo]); }
            case ERF -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = dev.nabla.cpu.kernels.ScalarMath.erf(x[xo]); }
            case RELU -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.max(x[xo], 0.0); }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++, xo += xs, oo += os) {
                    double v = x[xo];
                    o[oo] = v > 0 ? v : alpha * v;
                }
            }
            case FLOOR -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.floor(x[xo]); }
            case CEIL -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.ceil(x[xo]); }
            case ROUND -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.rint(x[xo]); }
            default -> throw unsupported(op, DType.FLOAT64);
        }
    }

    private static void unaryI64(UnaryOp op, long[] x, int xo, int xs, long[] o, int oo, int os, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = -x[xo]; }
            case ABS -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.abs(x[xo]); }
            case SIGN -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Long.signum(x[xo]); }
            case RELU -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.max(x[xo], 0L); }
            default -> throw unsupported(op, DType.INT64);
        }
    }

    private static void unaryI32(UnaryOp op, int[] x, int xo, int xs, int[] o, int oo, int os, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = -x[xo]; }
            case ABS -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.abs(x[xo]); }
            case SIGN -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Integer.signum(x[xo]); }
            case RELU -> { for (int i = 0; i < n; i++, xo += xs, oo += os) o[oo] = Math.max(x[xo], 0); }
            default -> throw unsupported(op, DType.INT32);
        }
    }

    // =================================================================== binary

    void binary(BinaryOp op, Operand a, Operand b, Operand out) {
        Plan p = Plan.of(out.layout(), a.layout(), b.layout());
        if (p.numel == 0) {
            return;
        }
        DType dt = a.dtype();
        int os = p.innerStride(0);
        int as = p.innerStride(1);
        int bs = p.innerStride(2);
        if (op.isComparison()) {
            compare(op, dt, buf(a).array(), buf(b).array(), buf(out).bools(), p);
            return;
        }
        if (op.isLogical()) {
            if (dt != DType.BOOL) {
                throw unsupported(op, dt);
            }
            boolean[] x = buf(a).bools();
            boolean[] y = buf(b).bools();
            boolean[] o = buf(out).bools();
            p.run((offs, n) -> logical(op, x, offs[1], as, y, offs[2], bs, o, offs[0], os, n));
            return;
        }
        switch (dt) {
            case FLOAT32 -> binaryF32(op, buf(a).floats(), buf(b).floats(), buf(out).floats(), p);
            case FLOAT64 -> {
                double[] x = buf(a).doubles();
                double[] y = buf(b).doubles();
                double[] o = buf(out).doubles();
                p.run((offs, n) -> binaryF64(op, x, offs[1], as, y, offs[2], bs, o, offs[0], os, n));
            }
            case INT64 -> {
                if (op == BinaryOp.DIV || op == BinaryOp.POW) {
                    throw unsupported(op, dt);
                }
                long[] x = buf(a).longs();
                long[] y = buf(b).longs();
                long[] o = buf(out).longs();
                p.run((offs, n) -> binaryI64(op, x, offs[1], as, y, offs[2], bs, o, offs[0], os, n));
            }
            case INT32 -> {
                if (op == BinaryOp.DIV || op == BinaryOp.POW) {
                    throw unsupported(op, dt);
                }
                int[] x = buf(a).ints();
                int[] y = buf(b).ints();
                int[] o = buf(out).ints();
                p.run((offs, n) -> binaryI32(op, x, offs[1], as, y, offs[2], bs, o, offs[0], os, n));
            }
            case BOOL -> {
                BinaryOp logical = switch (op) {
                    case MUL, MINIMUM -> BinaryOp.LOGICAL_AND;
                    case MAXIMUM -> BinaryOp.LOGICAL_OR;
                    default -> throw unsupported(op, dt);
                };
                boolean[] x = buf(a).bools();
                boolean[] y = buf(b).bools();
                boolean[] o = buf(out).bools();
                p.run((offs, n) -> logical(logical, x, offs[1], as, y, offs[2], bs, o, offs[0], os, n));
            }
        }
    }

    private void binaryF32(BinaryOp op, float[] a, float[] b, float[] o, Plan p) {
        int os = p.innerStride(0);
        int as = p.innerStride(1);
        int bs = p.innerStride(2);
        boolean exact = op != BinaryOp.POW;
        if (exact && p.rank == 2 && p.innerSize() < SHORT_ROW) {
            // many short rows (e.g. x - max(x, dim=1) over few classes): loop over rows here, no call per row
            int n = p.innerSize();
            int oR = p.strides[0][0], aR = p.strides[1][0], bR = p.strides[2][0];
            int o0 = p.offsets[0], a0 = p.offsets[1], b0 = p.offsets[2];
            Parallel.forChunks(p.shape[0], Math.max(1, Plan.GRAIN / n), Parallel.MIN_PARALLEL_ELEMENTS / n, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    binaryShortF32(op, a, a0 + r * aR, as, b, b0 + r * bR, bs, o, o0 + r * oR, os, n);
                }
            });
            return;
        }
        p.run((offs, n) -> {
            int oo = offs[0];
            int ao = offs[1];
            int bo = offs[2];
            if (n < SHORT_ROW && exact) {
                // a kernel call costs more than a short scalar loop; these ops round identically either way
                binaryShortF32(op, a, ao, as, b, bo, bs, o, oo, os, n);
                return;
            }
            if (os == 1) {
                if (as == 1 && bs == 1) {
                    k.binary(op, a, ao, b, bo, o, oo, n);
                    return;
                }
                if (as == 1 && bs == 0) {
                    k.binaryVS(op, a, ao, b[bo], o, oo, n);
                    return;
                }
                if (as == 0 && bs == 1) {
                    k.binarySV(op, a[ao], b, bo, o, oo, n);
                    return;
                }
            }
            Scratch sc = Scratch.get();
            if (as == 0 && bs == 0) {
                sc.f0[0] = a[ao];
                sc.f1[0] = b[bo];
                k.binary(op, sc.f0, 0, sc.f1, 0, sc.f2, 0, 1);
                fill(o, oo, os, n, sc.f2[0]);
                return;
            }
            for (int s = 0; s < n; s += BLOCK) {
                int m = Math.min(BLOCK, n - s);
                float[] x = a;
                int xo = ao + s * as;
                if (as > 1) {
                    gather(a, xo, as, m, sc.f0);
                    x = sc.f0;
                    xo = 0;
                }
                float[] y = b;
                int yo = bo + s * bs;
                if (bs > 1) {
                    gather(b, yo, bs, m, sc.f1);
                    y = sc.f1;
                    yo = 0;
                }
                float[] dst = os == 1 ? o : sc.f2;
                int dOff = os == 1 ? oo + s : 0;
                if (as == 0) {
                    k.binarySV(op, a[ao], y, yo, dst, dOff, m);
                } else if (bs == 0) {
                    k.binaryVS(op, x, xo, b[bo], dst, dOff, m);
                } else {
                    k.binary(op, x, xo, y, yo, dst, dOff, m);
                }
                if (os != 1) {
                    scatter(sc.f2, m, o, oo + s * os, os);
                }
            }
        });
    }

    /** Rows shorter than this skip the flat kernels where the result is the same. */
    static final int SHORT_ROW = 32;

    private static void binaryShortF32(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int os, int n) {
        if (os == 1 && as == 1 && bs == 0) { // row op per-row scalar, e.g. x - max(x, dim=1): unit-stride loops C2 unrolls
            float v = b[bo];
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + v; }
                case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - v; }
                case MUL -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * v; }
                case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / v; }
                case MAXIMUM -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i], v); }
                case MINIMUM -> { for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i], v); }
                default -> throw unsupported(op, DType.FLOAT32);
            }
            return;
        }
        if (os == 1 && as == 1 && bs == 1) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] + b[bo + i]; }
                case SUB -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] - b[bo + i]; }
                case MUL -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] * b[bo + i]; }
                case DIV -> { for (int i = 0; i < n; i++) o[oo + i] = a[ao + i] / b[bo + i]; }
                case MAXIMUM -> { for (int i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i], b[bo + i]); }
                case MINIMUM -> { for (int i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i], b[bo + i]); }
                default -> throw unsupported(op, DType.FLOAT32);
            }
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] + b[bo]; }
            case SUB -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] - b[bo]; }
            case MUL -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] * b[bo]; }
            case DIV -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] / b[bo]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.max(a[ao], b[bo]); }
            case MINIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.min(a[ao], b[bo]); }
            default -> throw unsupported(op, DType.FLOAT32);
        }
    }

    private static void binaryF64(BinaryOp op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] + b[bo]; }
            case SUB -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] - b[bo]; }
            case MUL -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] * b[bo]; }
            case DIV -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] / b[bo]; }
            case POW -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.pow(a[ao], b[bo]); }
            case MAXIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.max(a[ao], b[bo]); }
            case MINIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.min(a[ao], b[bo]); }
            default -> throw unsupported(op, DType.FLOAT64);
        }
    }

    private static void binaryI64(BinaryOp op, long[] a, int ao, int as, long[] b, int bo, int bs, long[] o, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] + b[bo]; }
            case SUB -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] - b[bo]; }
            case MUL -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] * b[bo]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.max(a[ao], b[bo]); }
            case MINIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.min(a[ao], b[bo]); }
            default -> throw unsupported(op, DType.INT64);
        }
    }

    private static void binaryI32(BinaryOp op, int[] a, int ao, int as, int[] b, int bo, int bs, int[] o, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] + b[bo]; }
            case SUB -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] - b[bo]; }
            case MUL -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] * b[bo]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.max(a[ao], b[bo]); }
            case MINIMUM -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = Math.min(a[ao], b[bo]); }
            default -> throw unsupported(op, DType.INT32);
        }
    }

    private static void logical(BinaryOp op, boolean[] a, int ao, int as, boolean[] b, int bo, int bs, boolean[] o, int oo, int os, int n) {
        switch (op) {
            case LOGICAL_AND -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] & b[bo]; }
            case LOGICAL_OR -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] | b[bo]; }
            case LOGICAL_XOR -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] ^ b[bo]; }
            default -> throw unsupported(op, DType.BOOL);
        }
    }

    // =================================================================== comparisons

    private void compare(BinaryOp op, DType dt, Object a, Object b, boolean[] o, Plan p) {
        int os = p.innerStride(0);
        int as = p.innerStride(1);
        int bs = p.innerStride(2);
        switch (dt) {
            case FLOAT32 -> {
                boolean flat = os == 1 && as <= 1 && bs <= 1 && (as | bs) == 1;
                p.run((offs, n) -> {
                    if (flat && n >= SHORT_ROW) {
                        k.compare(op, (float[]) a, offs[1], as, (float[]) b, offs[2], bs, o, offs[0], n);
                    } else {
                        cmpF32(op, (float[]) a, offs[1], as, (float[]) b, offs[2], bs, o, offs[0], os, n);
                    }
                });
            }
            case FLOAT64 -> p.run((offs, n) -> cmpF64(op, (double[]) a, offs[1], as, (double[]) b, offs[2], bs, o, offs[0], os, n));
            case INT64 -> p.run((offs, n) -> cmpI64(op, (long[]) a, offs[1], as, (long[]) b, offs[2], bs, o, offs[0], os, n));
            case INT32 -> p.run((offs, n) -> cmpI32(op, (int[]) a, offs[1], as, (int[]) b, offs[2], bs, o, offs[0], os, n));
            case BOOL -> p.run((offs, n) -> cmpBool(op, (boolean[]) a, offs[1], as, (boolean[]) b, offs[2], bs, o, offs[0], os, n));
        }
    }

    private static void cmpF32(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] o, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] == b[bo]; }
            case NE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] != b[bo]; }
            case LT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] < b[bo]; }
            case LE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] <= b[bo]; }
            case GT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] > b[bo]; }
            case GE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] >= b[bo]; }
            default -> throw unsupported(op, DType.FLOAT32);
        }
    }

    private static void cmpF64(BinaryOp op, double[] a, int ao, int as, double[] b, int bo, int bs, boolean[] o, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] == b[bo]; }
            case NE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] != b[bo]; }
            case LT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] < b[bo]; }
            case LE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] <= b[bo]; }
            case GT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] > b[bo]; }
            case GE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] >= b[bo]; }
            default -> throw unsupported(op, DType.FLOAT64);
        }
    }

    private static void cmpI64(BinaryOp op, long[] a, int ao, int as, long[] b, int bo, int bs, boolean[] o, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] == b[bo]; }
            case NE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] != b[bo]; }
            case LT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] < b[bo]; }
            case LE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] <= b[bo]; }
            case GT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] > b[bo]; }
            case GE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] >= b[bo]; }
            default -> throw unsupported(op, DType.INT64);
        }
    }

    private static void cmpI32(BinaryOp op, int[] a, int ao, int as, int[] b, int bo, int bs, boolean[] o, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] == b[bo]; }
            case NE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] != b[bo]; }
            case LT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] < b[bo]; }
            case LE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] <= b[bo]; }
            case GT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] > b[bo]; }
            case GE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] >= b[bo]; }
            default -> throw unsupported(op, DType.INT32);
        }
    }

    /** BOOL compares as {@code false < true}. */
    private static void cmpBool(BinaryOp op, boolean[] a, int ao, int as, boolean[] b, int bo, int bs, boolean[] o, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] == b[bo]; }
            case NE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] != b[bo]; }
            case LT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = !a[ao] & b[bo]; }
            case LE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = !a[ao] | b[bo]; }
            case GT -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] & !b[bo]; }
            case GE -> { for (int i = 0; i < n; i++, ao += as, bo += bs, oo += os) o[oo] = a[ao] | !b[bo]; }
            default -> throw unsupported(op, DType.BOOL);
        }
    }

    // =================================================================== where

    void where(Operand cond, Operand a, Operand b, Operand out) {
        Plan p = Plan.of(out.layout(), cond.layout(), a.layout(), b.layout());
        if (p.numel == 0) {
            return;
        }
        boolean[] c = buf(cond).bools();
        int os = p.innerStride(0);
        int cs = p.innerStride(1);
        int as = p.innerStride(2);
        int bs = p.innerStride(3);
        switch (out.dtype()) {
            case FLOAT32 -> {
                float[] x = buf(a).floats();
                float[] y = buf(b).floats();
                float[] o = buf(out).floats();
                boolean flat = os == 1 && cs == 1 && as <= 1 && bs <= 1;
                p.run((offs, n) -> {
                    int oo = offs[0], co = offs[1], ao = offs[2], bo = offs[3];
                    if (flat && n >= SHORT_ROW) {
                        k.where(c, co, x, ao, as, y, bo, bs, o, oo, n);
                        return;
                    }
                    for (int i = 0; i < n; i++, oo += os, co += cs, ao += as, bo += bs) o[oo] = c[co] ? x[ao] : y[bo];
                });
            }
            case FLOAT64 -> {
                double[] x = buf(a).doubles();
                double[] y = buf(b).doubles();
                double[] o = buf(out).doubles();
                p.run((offs, n) -> {
                    int oo = offs[0], co = offs[1], ao = offs[2], bo = offs[3];
                    for (int i = 0; i < n; i++, oo += os, co += cs, ao += as, bo += bs) o[oo] = c[co] ? x[ao] : y[bo];
                });
            }
            case INT64 -> {
                long[] x = buf(a).longs();
                long[] y = buf(b).longs();
                long[] o = buf(out).longs();
                p.run((offs, n) -> {
                    int oo = offs[0], co = offs[1], ao = offs[2], bo = offs[3];
                    for (int i = 0; i < n; i++, oo += os, co += cs, ao += as, bo += bs) o[oo] = c[co] ? x[ao] : y[bo];
                });
            }
            case INT32 -> {
                int[] x = buf(a).ints();
                int[] y = buf(b).ints();
                int[] o = buf(out).ints();
                p.run((offs, n) -> {
                    int oo = offs[0], co = offs[1], ao = offs[2], bo = offs[3];
                    for (int i = 0; i < n; i++, oo += os, co += cs, ao += as, bo += bs) o[oo] = c[co] ? x[ao] : y[bo];
                });
            }
            case BOOL -> {
                boolean[] x = buf(a).bools();
                boolean[] y = buf(b).bools();
                boolean[] o = buf(out).bools();
                p.run((offs, n) -> {
                    int oo = offs[0], co = offs[1], ao = offs[2], bo = offs[3];
                    for (int i = 0; i < n; i++, oo += os, co += cs, ao += as, bo += bs) o[oo] = c[co] ? x[ao] : y[bo];
                });
            }
            case BFLOAT16, FLOAT16 -> {
                short[] x = buf(a).shorts();
                short[] y = buf(b).shorts();
                short[] o = buf(out).shorts();
                p.run((offs, n) -> {
                    int oo = offs[0], co = offs[1], ao = offs[2], bo = offs[3];
                    for (int i = 0; i < n; i++, oo += os, co += cs, ao += as, bo += bs) o[oo] = c[co] ? x[ao] : y[bo];
                });
            }
        }
    }

    // =================================================================== copy / fill

    static void copy(Operand src, Operand dst) {
        Plan p = Plan.of(dst.layout(), src.layout());
        if (p.numel == 0) {
            return;
        }
        Object s = buf(src).array();
        Object d = buf(dst).array();
        DType st = src.dtype();
        DType dt = dst.dtype();
        int ds = p.innerStride(0);
        int ss = p.innerStride(1);
        if (st == dt && ss == 1 && ds == 1) {
            p.run((offs, n) -> System.arraycopy(s, offs[1], d, offs[0], n));
            return;
        }
        p.run((offs, n) -> convert(s, st, offs[1], ss, d, dt, offs[0], ds, n));
    }

    /** Copies {@code n} strided elements, converting between any two dtypes. */
    static void convert(Object src, DType st, int so, int ss, Object dst, DType dt, int d, int ds, int n) {
        if (st.isHalf() || dt.isHalf()) {
            convertHalf(src, st, so, ss, dst, dt, d, ds, n);
            return;
        }
        if (st == DType.INT8 || dt == DType.INT8) {
            convertBytes(src, st, so, ss, dst, dt, d, ds, n);
            return;
        }
        switch (st) {
            case FLOAT32 -> {
                float[] s = (float[]) src;
                switch (dt) {
                    case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (long) s[so]; }
                    case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (int) s[so]; }
                    case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] != 0; }
                }
            }
            case FLOAT64 -> {
                double[] s = (double[]) src;
                switch (dt) {
                    case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (float) s[so]; }
                    case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (long) s[so]; }
                    case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (int) s[so]; }
                    case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] != 0; }
                }
            }
            case INT64 -> {
                long[] s = (long[]) src;
                switch (dt) {
                    case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (float) s[so]; }
                    case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (double) s[so]; }
                    case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (int) s[so]; }
                    case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] != 0; }
                }
            }
            case INT32 -> {
                int[] s = (int[]) src;
                switch (dt) {
                    case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (float) s[so]; }
                    case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                    case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] != 0; }
                }
            }
            case BOOL -> {
                boolean[] s = (boolean[]) src;
                switch (dt) {
                    case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] ? 1f : 0f; }
                    case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] ? 1.0 : 0.0; }
                    case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] ? 1L : 0L; }
                    case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] ? 1 : 0; }
                    case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                }
            }
        }
    }

    /**
     * Conversions to and from INT8 (a storage type): to INT8 as Java's narrowing casts do (floats truncate toward
     * zero first, then the low 8 bits are kept; quantization rounds and clamps before it converts).
     */
    private static void convertBytes(Object src, DType st, int so, int ss, Object dst, DType dt, int d, int ds, int n) {
        if (st == DType.INT8) {
            byte[] s = (byte[]) src;
            switch (dt) {
                case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
                case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so] != 0; }
                case INT8 -> { byte[] o = (byte[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so]; }
            }
            return;
        }
        byte[] o = (byte[]) dst;
        switch (st) {
            case FLOAT32 -> { float[] s = (float[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (byte) (int) s[so]; }
            case FLOAT64 -> { double[] s = (double[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (byte) (int) s[so]; }
            case INT64 -> { long[] s = (long[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (byte) s[so]; }
            case INT32 -> { int[] s = (int[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (byte) s[so]; }
            case BOOL -> { boolean[] s = (boolean[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (byte) (s[so] ? 1 : 0); }
            case INT8 -> throw new IllegalStateException("INT8 to INT8 is handled above");
        }
    }

    /**
     * Conversions to and from BFLOAT16 and FLOAT16 (raw bits in a {@code short[]}), through {@code float} as PyTorch
     * converts them: to a half type the value is first a float (doubles and longs round to float), then rounded to
     * nearest even ({@link HalfFloats}); from a half type the exact float converts on as FLOAT32 would.
     */
    private static void convertHalf(Object src, DType st, int so, int ss, Object dst, DType dt, int d, int ds, int n) {
        if (st.isHalf()) {
            short[] s = (short[]) src;
            boolean bf = st == DType.BFLOAT16;
            switch (dt) {
                case FLOAT32 -> { float[] o = (float[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = toFloat(bf, s[so]); }
                case FLOAT64 -> { double[] o = (double[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = toFloat(bf, s[so]); }
                case INT64 -> { long[] o = (long[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (long) toFloat(bf, s[so]); }
                case INT32 -> { int[] o = (int[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (int) toFloat(bf, s[so]); }
                case INT8 -> { byte[] o = (byte[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = (byte) (int) toFloat(bf, s[so]); }
                case BOOL -> { boolean[] o = (boolean[]) dst; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = toFloat(bf, s[so]) != 0; }
                case BFLOAT16, FLOAT16 -> {
                    short[] o = (short[]) dst;
                    if (dt == st) {
                        for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = s[so];
                    } else {
                        for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(!bf, toFloat(bf, s[so]));
                    }
                }
            }
            return;
        }
        short[] o = (short[]) dst;
        boolean bf = dt == DType.BFLOAT16;
        switch (st) {
            case FLOAT32 -> { float[] s = (float[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(bf, s[so]); }
            case FLOAT64 -> { double[] s = (double[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(bf, (float) s[so]); }
            case INT64 -> { long[] s = (long[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(bf, (float) s[so]); }
            case INT32 -> { int[] s = (int[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(bf, (float) s[so]); }
            case INT8 -> { byte[] s = (byte[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(bf, s[so]); }
            case BOOL -> { boolean[] s = (boolean[]) src; for (int i = 0; i < n; i++, so += ss, d += ds) o[d] = fromFloat(bf, s[so] ? 1f : 0f); }
            case BFLOAT16, FLOAT16 -> throw new IllegalStateException("half to half is handled above");
        }
    }

    private static float toFloat(boolean bfloat16, short bits) {
        return bfloat16 ? HalfFloats.bfloat16ToFloat(bits) : HalfFloats.float16ToFloat(bits);
    }

    private static short fromFloat(boolean bfloat16, float f) {
        return bfloat16 ? HalfFloats.toBFloat16(f) : HalfFloats.toFloat16(f);
    }

    static void fill(Operand dst, double value) {
        Plan p = Plan.of(dst.layout());
        if (p.numel == 0) {
            return;
        }
        int ds = p.innerStride(0);
        switch (dst.dtype()) {
            case FLOAT32 -> {
                float[] o = buf(dst).floats();
                float v = (float) value;
                p.run((offs, n) -> fill(o, offs[0], ds, n, v));
            }
            case FLOAT64 -> {
                double[] o = buf(dst).doubles();
                p.run((offs, n) -> {
                    if (ds == 1) {
                        Arrays.fill(o, offs[0], offs[0] + n, value);
                    } else {
                        for (int i = 0, d = offs[0]; i < n; i++, d += ds) o[d] = value;
                    }
                });
            }
            case INT64 -> {
                long[] o = buf(dst).longs();
                long v = (long) value;
                p.run((offs, n) -> {
                    if (ds == 1) {
                        Arrays.fill(o, offs[0], offs[0] + n, v);
                    } else {
                        for (int i = 0, d = offs[0]; i < n; i++, d += ds) o[d] = v;
                    }
                });
            }
            case INT32 -> {
                int[] o = buf(dst).ints();
                int v = (int) value;
                p.run((offs, n) -> {
                    if (ds == 1) {
                        Arrays.fill(o, offs[0], offs[0] + n, v);
                    } else {
                        for (int i = 0, d = offs[0]; i < n; i++, d += ds) o[d] = v;
                    }
                });
            }
            case INT8 -> {
                byte[] o = buf(dst).bytes();
                byte v = (byte) (long) value;
                p.run((offs, n) -> {
                    if (ds == 1) {
                        Arrays.fill(o, offs[0], offs[0] + n, v);
                    } else {
                        for (int i = 0, d = offs[0]; i < n; i++, d += ds) o[d] = v;
                    }
                });
            }
            case BFLOAT16, FLOAT16 -> {
                short[] o = buf(dst).shorts();
                short v = HalfFloats.fromFloat(dst.dtype(), (float) value);
                p.run((offs, n) -> {
                    if (ds == 1) {
                        Arrays.fill(o, offs[0], offs[0] + n, v);
                    } else {
                        for (int i = 0, d = offs[0]; i < n; i++, d += ds) o[d] = v;
                    }
                });
            }
            case BOOL -> {
                boolean[] o = buf(dst).bools();
                boolean v = value != 0;
                p.run((offs, n) -> {
                    if (ds == 1) {
                        Arrays.fill(o, offs[0], offs[0] + n, v);
                    } else {
                        for (int i = 0, d = offs[0]; i < n; i++, d += ds) o[d] = v;
                    }
                });
            }
        }
    }

    // =================================================================== helpers

    static void fill(float[] o, int off, int stride, int n, float v) {
        if (stride == 1) {
            Arrays.fill(o, off, off + n, v);
        } else {
            for (int i = 0; i < n; i++, off += stride) {
                o[off] = v;
            }
        }
    }

    static void gather(float[] src, int off, int stride, int n, float[] dst) {
        for (int i = 0; i < n; i++, off += stride) {
            dst[i] = src[off];
        }
    }

    static void scatter(float[] src, int n, float[] dst, int off, int stride) {
        for (int i = 0; i < n; i++, off += stride) {
            dst[off] = src[i];
        }
    }
}
