package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.HalfFloats;
import dev.nabla.cpu.kernels.ScalarMath;

/**
 * Plain-Java statements of the CPU backend's element semantics (dev.nabla.cpu.Elementwise, ScalarFloatKernels,
 * ScalarMath), the references of the emulation tests: restated line for line where the CPU backend keeps them
 * private; its public scalar math ({@link ScalarMath}) is called.
 */
final class JavaRef {
    private JavaRef() {
    }

    static final String[] UNARY_FLOAT = {"neg", "abs", "sign", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt",
        "reciprocal", "sin", "cos", "tanh", "sigmoid", "erf", "relu", "leaky_relu", "floor", "ceil", "round"};
    static final String[] UNARY_INT = {"neg", "abs", "sign", "relu"};
    static final String[] BINARY_FLOAT = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt",
        "le", "gt", "ge"};
    static final String[] BINARY_INT = {"add", "sub", "mul", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"};
    static final String[] BINARY_BOOL = {"logical_and", "logical_or", "logical_xor", "mul", "minimum", "maximum", "eq",
        "ne", "lt", "le", "gt", "ge"};

    static boolean isComparison(String op) {
        return switch (op) {
            case "eq", "ne", "lt", "le", "gt", "ge" -> true;
            default -> false;
        };
    }

    /** Allowed ulps against Java for a unary op (f32: the double libm result rounded to float). */
    static long unaryUlps(String op, DType d) {
        boolean libm = switch (op) {
            case "exp", "expm1", "log", "log1p", "sin", "cos", "tanh", "sigmoid", "erf" -> true;
            default -> false;
        };
        if (!libm) {
            return 0;
        }
        return d == DType.FLOAT32 ? 1 : op.equals("erf") ? 16 : 2;
    }

    static Object unary(String op, DType d, Object x, double alpha) {
        switch (d) {
            case FLOAT32 -> {
                float v = (Float) x;
                return switch (op) {
                    case "neg" -> -v;
                    case "abs" -> Math.abs(v);
                    case "sign" -> Math.signum(v);
                    case "exp" -> (float) Math.exp(v);
                    case "expm1" -> (float) Math.expm1(v);
                    case "log" -> (float) Math.log(v);
                    case "log1p" -> (float) Math.log1p(v);
                    case "sqrt" -> (float) Math.sqrt(v);
                    case "rsqrt" -> (float) (1.0 / Math.sqrt(v));
                    case "reciprocal" -> 1f / v;
                    case "sin" -> (float) Math.sin(v);
                    case "cos" -> (float) Math.cos(v);
                    case "tanh" -> (float) Math.tanh(v);
                    case "sigmoid" -> (float) ScalarMath.sigmoid(v);
                    case "erf" -> (float) ScalarMath.erf(v);
                    case "relu" -> Math.max(v, 0f);
                    case "leaky_relu" -> v > 0 ? v : (float) alpha * v;
                    case "floor" -> (float) Math.floor(v);
                    case "ceil" -> (float) Math.ceil(v);
                    case "round" -> (float) Math.rint(v);
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case FLOAT64 -> {
                double v = (Double) x;
                return switch (op) {
                    case "neg" -> -v;
                    case "abs" -> Math.abs(v);
                    case "sign" -> Math.signum(v);
                    case "exp" -> Math.exp(v);
                    case "expm1" -> Math.expm1(v);
                    case "log" -> Math.log(v);
                    case "log1p" -> Math.log1p(v);
                    case "sqrt" -> Math.sqrt(v);
                    case "rsqrt" -> 1.0 / Math.sqrt(v);
                    case "reciprocal" -> 1.0 / v;
                    case "sin" -> Math.sin(v);
                    case "cos" -> Math.cos(v);
                    case "tanh" -> Math.tanh(v);
                    case "sigmoid" -> ScalarMath.sigmoid(v);
                    case "erf" -> ScalarMath.erf(v);
                    case "relu" -> Math.max(v, 0.0);
                    case "leaky_relu" -> v > 0 ? v : alpha * v;
                    case "floor" -> Math.floor(v);
                    case "ceil" -> Math.ceil(v);
                    case "round" -> Math.rint(v);
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case INT32 -> {
                int v = (Integer) x;
                return switch (op) {
                    case "neg" -> -v;
                    case "abs" -> Math.abs(v);
                    case "sign" -> Integer.signum(v);
                    case "relu" -> Math.max(v, 0);
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case INT64 -> {
                long v = (Long) x;
                return switch (op) {
                    case "neg" -> -v;
                    case "abs" -> Math.abs(v);
                    case "sign" -> (long) Long.signum(v);
                    case "relu" -> Math.max(v, 0L);
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case BOOL -> {
                return !(Boolean) x;
            }
            default -> throw new IllegalArgumentException(d.toString());
        }
    }

    static Object binary(String op, DType d, Object x, Object y) {
        switch (d) {
            case FLOAT32 -> {
                float a = (Float) x, b = (Float) y;
                return switch (op) {
                    case "add" -> a + b;
                    case "sub" -> a - b;
                    case "mul" -> a * b;
                    case "div" -> a / b;
                    case "pow" -> (float) Math.pow(a, b);
                    case "maximum" -> Math.max(a, b);
                    case "minimum" -> Math.min(a, b);
                    case "eq" -> a == b;
                    case "ne" -> a != b;
                    case "lt" -> a < b;
                    case "le" -> a <= b;
                    case "gt" -> a > b;
                    case "ge" -> a >= b;
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case FLOAT64 -> {
                double a = (Double) x, b = (Double) y;
                return switch (op) {
                    case "add" -> a + b;
                    case "sub" -> a - b;
                    case "mul" -> a * b;
                    case "div" -> a / b;
                    case "pow" -> Math.pow(a, b);
                    case "maximum" -> Math.max(a, b);
                    case "minimum" -> Math.min(a, b);
                    case "eq" -> a == b;
                    case "ne" -> a != b;
                    case "lt" -> a < b;
                    case "le" -> a <= b;
                    case "gt" -> a > b;
                    case "ge" -> a >= b;
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case INT32 -> {
                int a = (Integer) x, b = (Integer) y;
                return switch (op) {
                    case "add" -> a + b;
                    case "sub" -> a - b;
                    case "mul" -> a * b;
                    case "maximum" -> Math.max(a, b);
                    case "minimum" -> Math.min(a, b);
                    case "eq" -> a == b;
                    case "ne" -> a != b;
                    case "lt" -> a < b;
                    case "le" -> a <= b;
                    case "gt" -> a > b;
                    case "ge" -> a >= b;
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case INT64 -> {
                long a = (Long) x, b = (Long) y;
                return switch (op) {
                    case "add" -> a + b;
                    case "sub" -> a - b;
                    case "mul" -> a * b;
                    case "maximum" -> Math.max(a, b);
                    case "minimum" -> Math.min(a, b);
                    case "eq" -> a == b;
                    case "ne" -> a != b;
                    case "lt" -> a < b;
                    case "le" -> a <= b;
                    case "gt" -> a > b;
                    case "ge" -> a >= b;
                    default -> throw new IllegalArgumentException(op);
                };
            }
            case BOOL -> {
                boolean a = (Boolean) x, b = (Boolean) y;
                return switch (op) {
                    case "logical_and", "mul", "minimum" -> a & b;
                    case "logical_or", "maximum" -> a | b;
                    case "logical_xor" -> a ^ b;
                    case "eq" -> a == b;
                    case "ne" -> a != b;
                    case "lt" -> !a & b;
                    case "le" -> !a | b;
                    case "gt" -> a & !b;
                    case "ge" -> a | !b;
                    default -> throw new IllegalArgumentException(op);
                };
            }
            default -> throw new IllegalArgumentException(d.toString());
        }
    }

    /** The scalar of binaryScalar as an element of {@code d} (the kernel converts the double the same way). */
    static Object scalarAs(DType d, double s) {
        return switch (d) {
            case FLOAT32 -> (float) s;
            case FLOAT64 -> s;
            case INT32 -> (int) s;
            case INT64 -> (long) s;
            case BOOL -> s != 0;
            default -> throw new IllegalArgumentException(d.toString());
        };
    }

    /** Elementwise.convert of one element (the CPU backend's copy between dtypes). */
    static Object convert(Object v, DType from, DType to) {
        if (from == to) {
            return v;
        }
        if (from.isHalf()) {
            float f = HalfFloats.toFloat(from, (Short) v);
            if (to.isHalf()) {
                return HalfFloats.fromFloat(to, f);
            }
            return switch (to) {
                case INT8 -> (byte) (int) f;
                case BOOL -> f != 0;
                default -> convert(f, DType.FLOAT32, to);
            };
        }
        if (to.isHalf()) {
            float f = switch (from) {
                case FLOAT32 -> (Float) v;
                case FLOAT64 -> (float) (double) (Double) v;
                case INT64 -> (float) (long) (Long) v;
                case INT32 -> (float) (int) (Integer) v;
                case INT8 -> (float) (byte) (Byte) v;
                case BOOL -> (Boolean) v ? 1f : 0f;
                default -> throw new IllegalStateException();
            };
            return HalfFloats.fromFloat(to, f);
        }
        if (to == DType.INT8) {
            return switch (from) {
                case FLOAT32 -> (byte) (int) (float) (Float) v;
                case FLOAT64 -> (byte) (int) (double) (Double) v;
                case INT64 -> (byte) (long) (Long) v;
                case INT32 -> (byte) (int) (Integer) v;
                case BOOL -> (byte) ((Boolean) v ? 1 : 0);
                default -> throw new IllegalStateException();
            };
        }
        if (from == DType.INT8) {
            return convert((int) (Byte) v, DType.INT32, to);
        }
        if (from == DType.BOOL) {
            boolean b = (Boolean) v;
            return switch (to) {
                case FLOAT32 -> b ? 1f : 0f;
                case FLOAT64 -> b ? 1.0 : 0.0;
                case INT64 -> b ? 1L : 0L;
                case INT32 -> b ? 1 : 0;
                default -> throw new IllegalStateException();
            };
        }
        if (to == DType.BOOL) {
            return switch (from) {
                case FLOAT32 -> (Float) v != 0;
                case FLOAT64 -> (Double) v != 0;
                case INT64 -> (Long) v != 0;
                case INT32 -> (Integer) v != 0;
                default -> throw new IllegalStateException();
            };
        }
        return switch (from) {
            case FLOAT32 -> {
                float f = (Float) v;
                yield switch (to) {
                    case FLOAT64 -> (double) f;
                    case INT64 -> (long) f;
                    case INT32 -> (int) f;
                    default -> throw new IllegalStateException();
                };
            }
            case FLOAT64 -> {
                double f = (Double) v;
                yield switch (to) {
                    case FLOAT32 -> (float) f;
                    case INT64 -> (long) f;
                    case INT32 -> (int) f;
                    default -> throw new IllegalStateException();
                };
            }
            case INT64 -> {
                long f = (Long) v;
                yield switch (to) {
                    case FLOAT32 -> (float) f;
                    case FLOAT64 -> (double) f;
                    case INT32 -> (int) f;
                    default -> throw new IllegalStateException();
                };
            }
            case INT32 -> {
                int f = (Integer) v;
                yield switch (to) {
                    case FLOAT32 -> (float) f;
                    case FLOAT64 -> (double) f;
                    case INT64 -> (long) f;
                    default -> throw new IllegalStateException();
                };
            }
            default -> throw new IllegalStateException();
        };
    }

    /** The fill value as the kernel parameter the host passes (Elementwise.fill's conversions). */
    static Object fillParam(DType d, double v) {
        return switch (d) {
            case FLOAT32 -> (float) v;
            case FLOAT64 -> v;
            case INT32 -> (int) v;
            case INT64 -> (long) v;
            case BOOL -> v != 0 ? 1 : 0;
            case INT8 -> (int) (byte) (long) v;
            case BFLOAT16, FLOAT16 -> HalfFloats.fromFloat(d, (float) v) & 0xFFFF;
        };
    }

    /** The element the fill writes. */
    static Object fillElement(DType d, double v) {
        return switch (d) {
            case FLOAT32 -> (float) v;
            case FLOAT64 -> v;
            case INT32 -> (int) v;
            case INT64 -> (long) v;
            case BOOL -> v != 0;
            case INT8 -> (byte) (long) v;
            case BFLOAT16, FLOAT16 -> HalfFloats.fromFloat(d, (float) v);
        };
    }
}
