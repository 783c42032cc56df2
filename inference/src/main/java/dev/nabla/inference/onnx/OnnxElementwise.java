package dev.nabla.inference.onnx;

import dev.nabla.DType;
import dev.nabla.inference.graph.Node;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;

import java.util.List;

import static dev.nabla.inference.onnx.OnnxAttribute.integer;
import static dev.nabla.inference.onnx.OnnxAttribute.real;

/**
 * Elementwise ops as ONNX nodes: most are one node of the same meaning; rsqrt, expm1, log1p and ne are composed
 * from several, since ONNX has no operator for them.
 */
final class OnnxElementwise {
    private OnnxElementwise() {
    }

    static void unary(Node.Call call, Op.Unary u, OnnxGraphBuilder g) {
        String out = call.output().name();
        String x = call.input(0).name();
        DType dtype = call.input(0).type().dtype();
        switch (u.kind()) {
            case NEG -> g.node("Neg", out, List.of(x));
            case ABS -> g.node("Abs", out, List.of(x));
            case SIGN -> g.node("Sign", out, List.of(x));
            case EXP -> g.node("Exp", out, List.of(x));
            case EXPM1 -> expm1(out, x, dtype, g);
            case LOG -> g.node("Log", out, List.of(x));
            case LOG1P -> log1p(out, x, dtype, g);
            case SQRT -> g.node("Sqrt", out, List.of(x));
            case RSQRT -> g.node("Reciprocal", out, List.of(g.helper("Sqrt", out + ".sqrt", List.of(x))));
            case RECIPROCAL -> g.node("Reciprocal", out, List.of(x));
            case SIN -> g.node("Sin", out, List.of(x));
            case COS -> g.node("Cos", out, List.of(x));
            case TANH -> g.node("Tanh", out, List.of(x));
            case SIGMOID -> g.node("Sigmoid", out, List.of(x));
            case ERF -> g.node("Erf", out, List.of(x));
            case RELU -> relu(out, x, dtype, g);
            // Both are x where x > 0, else alpha * x (so NaN stays NaN); ONNX stores alpha as a float.
            case LEAKY_RELU -> g.node("LeakyRelu", out, List.of(x), real("alpha", (float) u.alpha()));
            case FLOOR -> g.node("Floor", out, List.of(x));
            case CEIL -> g.node("Ceil", out, List.of(x));
            // Both round half to even (Nabla's is Math.rint).
            case ROUND -> g.node("Round", out, List.of(x));
            case LOGICAL_NOT -> g.node("Not", out, List.of(x));
        }
    }

    /** ONNX Runtime has no integer Relu kernel (the operator allows it from opset 14); Max(x, 0) is the same. */
    private static void relu(String out, String x, DType dtype, OnnxGraphBuilder g) {
        if (dtype.isFloatingPoint()) {
            g.node("Relu", out, List.of(x));
        } else {
            g.node("Max", out, List.of(x, g.scalar(out + ".zero", dtype, 0)));
        }
    }

    static void binary(Node.Call call, BinaryOp kind, OnnxGraphBuilder g) {
        String out = call.output().name();
        List<String> in = OnnxOps.names(call.inputs());
        String type = switch (kind) {
            case ADD -> "Add";
            case SUB -> "Sub";
            case MUL -> "Mul";
            case DIV -> "Div";
            case POW -> "Pow";
            case MAXIMUM -> "Max";
            case MINIMUM -> "Min";
            case EQ, NE -> "Equal";
            case LT -> "Less";
            case LE -> "LessOrEqual";
            case GT -> "Greater";
            case GE -> "GreaterOrEqual";
            case LOGICAL_AND -> "And";
            case LOGICAL_OR -> "Or";
            case LOGICAL_XOR -> "Xor";
        };
        if (kind == BinaryOp.NE) {
            g.node("Not", out, List.of(g.helper(type, out + ".eq", in)));
        } else {
            g.node(type, out, in);
        }
    }

    /**
     * {@code exp(x) - 1} loses every digit for small |x|, which is the reason expm1 exists. Kahan's form keeps
     * them: with {@code u = exp(x)}, {@code expm1(x) = (u - 1) * x / log(u)}, except that it is {@code x} where
     * {@code u} rounds to 1, -1 where {@code u - 1} rounds to -1 and {@code u} where {@code u} overflows.
     */
    private static void expm1(String out, String x, DType dtype, OnnxGraphBuilder g) {
        String one = g.scalar(out + ".one", dtype, 1);
        String u = g.helper("Exp", out + ".exp", List.of(x));
        String um1 = g.helper("Sub", out + ".exp_minus_1", List.of(u, one));
        String ratio = g.helper("Div", out + ".ratio", List.of(x, g.helper("Log", out + ".log", List.of(u))));
        String kahan = g.helper("Mul", out + ".kahan", List.of(um1, ratio));
        String big = g.helper("Where", out + ".big", List.of(overflows(out, u, g), u, kahan));
        String minusOne = g.scalar(out + ".minus_one", dtype, -1);
        String low = g.helper("Where", out + ".low",
                List.of(g.helper("Equal", out + ".is_low", List.of(um1, minusOne)), um1, big));
        g.node("Where", out, List.of(g.helper("Equal", out + ".is_one", List.of(u, one)), x, low));
    }

    /**
     * {@code log(1 + x)} loses every digit for small |x|. Kahan's form: with {@code u = 1 + x},
     * {@code log1p(x) = log(u) * x / (u - 1)}, except that it is {@code x} where {@code u} rounds to 1 and
     * {@code u} where {@code u} is +infinity.
     */
    private static void log1p(String out, String x, DType dtype, OnnxGraphBuilder g) {
        String one = g.scalar(out + ".one", dtype, 1);
        String u = g.helper("Add", out + ".one_plus", List.of(x, one));
        String um1 = g.helper("Sub", out + ".u_minus_1", List.of(u, one));
        String ratio = g.helper("Div", out + ".ratio", List.of(x, um1));
        String kahan = g.helper("Mul", out + ".kahan", List.of(g.helper("Log", out + ".log", List.of(u)), ratio));
        String big = g.helper("Where", out + ".big", List.of(overflows(out, u, g), u, kahan));
        g.node("Where", out, List.of(g.helper("Equal", out + ".is_one", List.of(u, one)), x, big));
    }

    /** {@code u == +infinity}. */
    private static String overflows(String out, String u, OnnxGraphBuilder g) {
        return g.helper("IsInf", out + ".overflows", List.of(u), integer("detect_negative", 0),
                integer("detect_positive", 1));
    }
}
