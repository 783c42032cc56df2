package dev.nabla.inference.onnx;

import ai.onnxruntime.OrtException;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unary and binary ops, where and cast: ONNX Runtime against Nabla's kernels, special values included. */
class OnnxElementwiseTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    /** Ties for rounding, signed zeros, tiny values (expm1, log1p), and NaN and infinities. */
    private static final float[] SPECIAL = {-3.7f, -2.5f, -1.5f, -1f, -0.5f, -1e-7f, -0f, 0f, 1e-30f, 1e-7f, 3e-4f,
            0.3f, 0.5f, 1.5f, 2.5f, 3.2f, 20f, NAN, INF, -INF};

    private static Graph unaryGraph(Op op, Tensor x) {
        TinyGraph t = new TinyGraph();
        return t.build(t.call(op, t.input("x", x)));
    }

    @Test
    void everyFloatUnaryOpMatchesElementByElement() throws OrtException {
        Tensor x = Tensor.of(SPECIAL, SPECIAL.length);
        for (UnaryOp kind : UnaryOp.values()) {
            if (kind == UnaryOp.LOGICAL_NOT) {
                continue;
            }
            Op op = kind == UnaryOp.LEAKY_RELU ? new Op.Unary(kind, 0.125) : new Op.Unary(kind);
            Graph graph = unaryGraph(op, x);
            float[] expected = Interpreter.run(graph, x).toFloatArray();
            float[] actual = Ort.run(graph, List.of(x)).get(0).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                String what = kind + "(" + SPECIAL[i] + ")";
                if (kind == UnaryOp.ERF && Float.isNaN(SPECIAL[i])) {
                    continue;  // ONNX Runtime's Erf gives 1 for NaN (its approximation clamps); Nabla's gives NaN
                }
                if (Float.isNaN(expected[i]) || Float.isInfinite(expected[i])) {
                    assertEquals(expected[i], actual[i], what);
                } else {
                    // relative to the element itself, so that tiny results (expm1, log1p, sin near 0) count
                    double error = Math.abs(expected[i] - actual[i]) / Math.max(Math.abs(expected[i]), 1e-30);
                    assertTrue(error <= 2e-6, what + " is " + actual[i] + ", expected " + expected[i]);
                }
            }
        }
    }

    @Test
    void roundsHalfToEvenLikeNabla() throws OrtException {
        Tensor x = Tensor.of(new float[]{-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f}, 7);
        Graph graph = unaryGraph(new Op.Unary(UnaryOp.ROUND), x);
        float[] actual = Ort.run(graph, List.of(x)).get(0).toFloatArray();
        assertEquals(List.of(-2f, -2f, -0f, 0f, 2f, 2f, 4f), boxed(actual));
        Ort.assertMatches(graph, List.of(x), 0, "round");
    }

    @Test
    void integerUnaryOpsAndLogicalNotAreExact() throws OrtException {
        for (DType dtype : new DType[]{DType.INT64, DType.INT32}) {
            Tensor x = Tensor.of(new long[]{-7, -1, 0, 1, 5, Integer.MAX_VALUE}, 6).to(dtype);
            for (UnaryOp kind : new UnaryOp[]{UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU}) {
                Ort.assertMatches(unaryGraph(new Op.Unary(kind), x), List.of(x), 0, kind + " " + dtype);
            }
        }
        Tensor b = Tensor.of(new boolean[]{true, false, false, true}, 2, 2);
        Ort.assertMatches(unaryGraph(new Op.Unary(UnaryOp.LOGICAL_NOT), b), List.of(b), 0, "logical_not");
    }

    @Test
    void everyBinaryOpMatchesWithBroadcasting() throws OrtException {
        // no base of 1 with a NaN exponent: Java's Math.pow (Nabla) gives NaN there, C's pow (ONNX Runtime) 1
        float[] left = {-2f, -0.5f, 0f, 0.75f, 2.5f, NAN, INF, 3f};
        float[] right = {2f, -0f, 0.5f, NAN, INF, -3f};
        Tensor a = Tensor.of(left, left.length, 1);
        Tensor b = Tensor.of(right, right.length);
        for (BinaryOp kind : BinaryOp.values()) {
            if (kind.isLogical()) {
                continue;
            }
            TinyGraph t = new TinyGraph();
            Graph graph = t.build(t.call(new Op.Binary(kind), t.input("a", a), t.input("b", b)));
            Ort.assertMatches(graph, List.of(a, b), 1e-6, kind.toString());
        }
    }

    @Test
    void integerArithmeticAndComparisonsAreExact() throws OrtException {
        Tensor a = Tensor.of(new long[]{-4, 0, 3, 9}, 4, 1);
        Tensor b = Tensor.of(new long[]{3, 0, -4}, 3);
        for (BinaryOp kind : new BinaryOp[]{BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM,
                BinaryOp.MINIMUM, BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE}) {
            TinyGraph t = new TinyGraph();
            Graph graph = t.build(t.call(new Op.Binary(kind), t.input("a", a), t.input("b", b)));
            Ort.assertMatches(graph, List.of(a, b), 0, kind + " int64");
        }
    }

    @Test
    void logicalOpsAndBooleanEqualityAreExact() throws OrtException {
        Tensor a = Tensor.of(new boolean[]{true, true, false, false}, 4);
        Tensor b = Tensor.of(new boolean[]{true, false, true, false}, 4);
        for (BinaryOp kind : new BinaryOp[]{BinaryOp.LOGICAL_AND, BinaryOp.LOGICAL_OR, BinaryOp.LOGICAL_XOR,
                BinaryOp.EQ, BinaryOp.NE}) {
            TinyGraph t = new TinyGraph();
            Graph graph = t.build(t.call(new Op.Binary(kind), t.input("a", a), t.input("b", b)));
            Ort.assertMatches(graph, List.of(a, b), 0, kind.toString());
        }
    }

    @Test
    void whereBroadcastsItsThreeOperands() throws OrtException {
        Tensor cond = Tensor.of(new boolean[]{true, false, true}, 3, 1);
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4}, 4);
        Tensor b = Tensor.of(new float[]{-1, NAN, -3}, 3, 1);
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.Where(), t.input("c", cond), t.input("a", a), t.constant("b", b)));
        Ort.assertMatches(graph, List.of(cond, a), 0, "where");
    }

    @Test
    void castsBetweenEveryPairOfDtypes() throws OrtException {
        // in range of every type, with fractions of both signs (truncated toward zero) and zeros (false)
        Tensor x = Tensor.of(new double[]{-2.75, -1, -0.0, 0, 0.5, 1.25, 3, 100.5}, 2, 4);
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                Tensor input = x.to(from);
                TinyGraph t = new TinyGraph();
                Graph graph = t.build(t.call(new Op.Cast(to), t.input("x", input)));
                Ort.assertMatches(graph, List.of(input), 0, "cast " + from + " -> " + to);
            }
        }
        Tensor nan = Tensor.of(new float[]{NAN, 0f, -0f}, 3);
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.Cast(DType.BOOL), t.input("x", nan)));
        Ort.assertMatches(graph, List.of(nan), 0, "cast NaN -> bool");
    }

    @Test
    void float64GraphsKeepDoublePrecision() throws OrtException {
        Tensor x = Tensor.of(new double[]{0.1, -0.7, 1.3, 2.9, -3.1, 1e-12}, 2, 3);
        Tensor w = Tensor.of(new double[]{0.25, -1.5, 2.0, 0.75, 1e-3, -0.5}, 3, 2);
        TinyGraph t = new TinyGraph();
        Value h = t.call(new Op.MatMul(), t.input("x", x), t.constant("w", w));
        Value y = t.call(new Op.Unary(UnaryOp.TANH), h);
        Value z = t.call(new Op.Unary(UnaryOp.LOG1P), t.call(new Op.Unary(UnaryOp.ABS), y));
        Ort.assertMatches(t.build(z), List.of(x), 1e-12, "f64");
    }

    private static List<Float> boxed(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return List.of(out);
    }
}
