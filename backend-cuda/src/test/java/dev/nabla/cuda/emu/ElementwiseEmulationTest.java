package dev.nabla.cuda.emu;

import dev.nabla.DType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static dev.nabla.DType.BOOL;
import static dev.nabla.DType.FLOAT32;
import static dev.nabla.DType.FLOAT64;
import static dev.nabla.DType.INT32;
import static dev.nabla.DType.INT64;

/**
 * unary.cu, binary.cu (and the scalar forms), where.cu, cast.cu and fill.cu run on the CPU through the CUDA
 * emulation, against the CPU backend's semantics (JavaRef): bit for bit except the libm functions (a few ulps).
 */
class ElementwiseEmulationTest extends EmulationTestBase {
    private static final int[] BIG = {100003};

    @Test
    void unaryOpsMatchTheCpuBackend() throws IOException {
        Random r = new Random(1);
        for (DType d : new DType[] {FLOAT32, FLOAT64, INT32, INT64, BOOL}) {
            String[] ops = d == BOOL ? new String[] {"logical_not"} : d.isFloatingPoint() ? JavaRef.UNARY_FLOAT : JavaRef.UNARY_INT;
            for (String op : ops) {
                for (int c = 0; c < 6; c++) {
                    double alpha = op.equals("leaky_relu") ? 0.01 + r.nextDouble() : 0.0;
                    String kernel = "nabla_" + op + "_" + Host.suffix(d);
                    elementwise(r, kernel, new DType[] {d}, d, v -> JavaRef.unary(op, d, v[0], alpha),
                            JavaRef.unaryUlps(op, d), false,
                            (in, il, out, ol, n) -> new Object[] {in[0], il[0], out, ol, n, alpha},
                            c == 5 && op.equals("exp") ? BIG : null);
                }
            }
        }
    }

    @Test
    void binaryOpsMatchTheCpuBackend() throws IOException {
        Random r = new Random(2);
        for (DType d : new DType[] {FLOAT32, FLOAT64, INT32, INT64, BOOL}) {
            String[] ops = d == BOOL ? JavaRef.BINARY_BOOL : d.isFloatingPoint() ? JavaRef.BINARY_FLOAT : JavaRef.BINARY_INT;
            for (String op : ops) {
                DType outType = JavaRef.isComparison(op) || d == BOOL ? BOOL : d;
                long ulps = op.equals("pow") ? (d == FLOAT32 ? 1 : 2) : 0;
                for (int c = 0; c < 6; c++) {
                    String kernel = "nabla_" + op + "_" + Host.suffix(d);
                    elementwise(r, kernel, new DType[] {d, d}, outType, v -> JavaRef.binary(op, d, v[0], v[1]), ulps, false,
                            (in, il, out, ol, n) -> new Object[] {in[0], il[0], in[1], il[1], out, ol, n},
                            c == 5 && op.equals("add") ? BIG : null);
                }
                for (int c = 0; c < 4; c++) {
                    boolean left = c % 2 == 0;
                    double s = scalar(r, d);
                    Object sv = JavaRef.scalarAs(d, s);
                    String kernel = "nabla_" + op + "_scalar_" + Host.suffix(d);
                    elementwise(r, kernel, new DType[] {d}, outType,
                            v -> left ? JavaRef.binary(op, d, sv, v[0]) : JavaRef.binary(op, d, v[0], sv), ulps, false,
                            (in, il, out, ol, n) -> new Object[] {in[0], il[0], s, left ? 1 : 0, out, ol, n}, null);
                }
            }
        }
    }

    /** A scalar exactly representable in {@code d}, as core passes it. */
    private static double scalar(Random r, DType d) {
        Object v = Host.randomValue(d, r, true);
        return switch (d) {
            case FLOAT32 -> (Float) v;
            case FLOAT64 -> (Double) v;
            case INT32 -> (Integer) v;
            case INT64 -> Math.abs((Long) v) > (1L << 53) ? -7 : (Long) v;
            case BOOL -> (Boolean) v ? 1 : 0;
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void whereSelectsForEveryDtype() throws IOException {
        Random r = new Random(3);
        for (DType d : DType.values()) {
            for (int c = 0; c < 8; c++) {
                elementwise(r, "nabla_where_" + Host.suffix(d), new DType[] {BOOL, d, d}, d,
                        v -> (Boolean) v[0] ? v[1] : v[2], 0, true,
                        (in, il, out, ol, n) -> new Object[] {in[0], il[0], in[1], il[1], in[2], il[2], out, ol, n},
                        c == 7 && d == FLOAT32 ? BIG : null);
            }
        }
    }

    @Test
    void castsBetweenEveryPairOfDtypes() throws IOException {
        Random r = new Random(4);
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                for (int c = 0; c < 5; c++) {
                    elementwise(r, "nabla_cast_" + Host.suffix(from) + "_" + Host.suffix(to), new DType[] {from}, to,
                            v -> JavaRef.convert(v[0], from, to), 0, from == to || !from.isFloatingPoint(),
                            (in, il, out, ol, n) -> new Object[] {in[0], il[0], out, ol, n}, null);
                }
            }
        }
    }

    @Test
    void fillWritesTheHostConvertedValue() throws IOException {
        Random r = new Random(5);
        double[] values = {0, -0.0, 1, -1, 2.5, -3.75, 1e10, -1e10, Double.NaN, Double.POSITIVE_INFINITY, 65519.0,
            300.7, (double) (1L << 60), 1e-30, 0.1};
        for (DType d : DType.values()) {
            for (double v : values) {
                Object p = JavaRef.fillParam(d, v);
                Object e = JavaRef.fillElement(d, v);
                elementwise(r, "nabla_fill_" + Host.suffix(d), new DType[0], d, x -> e, 0, true,
                        (in, il, out, ol, n) -> new Object[] {out, ol, n, p}, null);
            }
        }
    }
}
