package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradCheck;
import dev.nabla.engine.Convolutions;
import dev.nabla.engine.Dense;
import dev.nabla.engine.Normalization;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A finite-difference gradient check ({@link GradCheck}, float64, central differences) of every
 * differentiable op, for every differentiable input, with broadcasting and non-contiguous
 * (transposed, sliced, expanded) inputs. Inputs stay away from kinks and ties where an op is not
 * differentiable. Which primitive ops the cases reach is recorded, not declared: every {@link dev.nabla.ops.Op}
 * record and every constant of its {@code kind} enum must be recorded on the autograd tape by some case (see
 * {@link GradientCoverage}), so a new op without a finite-difference check fails the build.
 */
public abstract class GradientSuite extends BackendTestBase {

    /** One gradient check: {@code f} applied to fresh inputs made by {@code inputs}. */
    public record Case(String op, String variant, Function<Tensor[], Tensor> f, Function<Inputs, Tensor[]> inputs,
                       GradCheck.Options options) {
        @Override
        public String toString() {
            return op + " " + variant;
        }
    }

    /**
     * Every name of the differentiable API of {@link Tensor} that must have a case of its own: the composites
     * (softmax, var, ...) are no primitives, so the recorded coverage cannot ask for them.
     */
    public static final List<String> REQUIRED = List.of(
            "add", "add(alpha)", "sub", "rsub", "mul", "square", "div", "rdiv", "pow", "pow(scalar)", "maximum", "minimum",
            "neg", "abs", "sign", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tanh",
            "sigmoid", "erf", "floor", "ceil", "round", "relu", "leakyRelu", "gelu", "geluTanh", "silu", "softplus",
            "clamp", "clampMin", "clampMax", "where", "maskedFill",
            "sum", "mean", "prod", "max", "min", "amax", "amin", "max(dim)", "min(dim)", "var", "std", "logsumexp", "norm",
            "matmul",
            "reshape", "view", "permute", "transpose", "t", "expand", "expandAs", "slice", "narrow", "select", "squeeze",
            "unsqueeze", "flatten", "contiguous",
            "cat", "stack", "split", "chunk", "pad", "gather", "scatterAdd", "indexSelect", "softmax", "logSoftmax", "cast");

    private static final GradCheck.Options DEFAULT = GradCheck.Options.DEFAULT;
    /** For functions computed in FLOAT32 inside: a wide step, tolerances above float32 rounding. */
    private static final GradCheck.Options FLOAT32_INSIDE = DEFAULT.withEps(1e-2).withTolerance(1e-3, 1e-3);

    public static final List<Case> CASES = Collections.unmodifiableList(buildCases());

    /** Seeded input factory for one case (independent of the library's generator). */
    public static final class Inputs {
        private final SplittableRandom random;

        Inputs(long seed) {
            random = new SplittableRandom(seed);
        }

        private Tensor make(int[] shape, java.util.function.DoubleSupplier value) {
            double[] v = new double[Reference.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = value.getAsDouble();
            }
            return Tensor.of(v).reshape(shape);
        }

        /** Uniform in [-2, 2). */
        public Tensor any(int... shape) {
            return make(shape, () -> random.nextDouble(-2, 2));
        }

        /** Uniform in [0.5, 2). */
        public Tensor positive(int... shape) {
            return make(shape, () -> random.nextDouble(0.5, 2));
        }

        /** Magnitude in [0.2, 2), random sign: away from the kinks at zero. */
        public Tensor away(int... shape) {
            return make(shape, () -> (random.nextBoolean() ? 1 : -1) * random.nextDouble(0.2, 2));
        }

        /** Distinct values at least 0.1 apart, in random order: no ties for max/min. */
        public Tensor distinct(int... shape) {
            int n = Reference.numel(shape);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = -0.05 * n + 0.1 * i + 0.003 * random.nextDouble();
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
            return Tensor.of(v).reshape(shape);
        }

        /** Away from integers and half-integers (for floor/ceil/round/sign). */
        public Tensor offGrid(int... shape) {
            return make(shape, () -> random.nextInt(-3, 3) + 0.1 + 0.3 * random.nextDouble());
        }

        /** INT64 indices in [0, bound). */
        public Tensor index(int bound, int... shape) {
            long[] v = new long[Reference.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextInt(bound);
            }
            return Tensor.of(v).reshape(shape);
        }

        public Tensor mask(int... shape) {
            boolean[] v = new boolean[Reference.numel(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextBoolean();
            }
            return Tensor.of(v).reshape(shape);
        }

        public Tensor longs(long... values) {
            return Tensor.of(values);
        }
    }


    private static void add(List<Case> cases, String op, String variant, Function<Tensor[], Tensor> f,
                            Function<Inputs, Tensor[]> inputs) {
        cases.add(new Case(op, variant, f, inputs, DEFAULT));
    }

    private static Tensor[] of(Tensor... tensors) {
        return tensors;
    }

    private static List<Case> buildCases() {
        List<Case> c = new ArrayList<>();
        binaryCases(c);
        scalarCases(c);
        unaryCases(c);
        reductionCases(c);
        matmulCases(c);
        viewCases(c);
        joiningCases(c);
        indexingCases(c);
        windowCases(c);
        normalizationCases(c);
        return c;
    }

    private interface Binary {
        Tensor apply(Tensor a, Tensor b);
    }

    private static void binary(List<Case> c, String op, Binary f, boolean positiveBase, boolean distinct) {
        Function<int[], Function<Inputs, Tensor>> left = shape -> in -> positiveBase ? in.positive(shape)
                : distinct ? in.distinct(shape) : in.any(shape);
        // For maximum/minimum the right operand is the left one (broadcast) plus a random offset away from zero,
        // so that no pair ties.
        if (distinct) {
            add(c, op, "[2, 3] and [2, 3]", x -> f.apply(x[0], x[0].add(x[1])), in -> of(in.any(2, 3), in.away(2, 3)));
            add(c, op, "[3, 1] and [1, 4]", x -> f.apply(x[0], x[0].add(x[1])), in -> of(in.any(3, 1), in.away(3, 4)));
            add(c, op, "[3, 4] and broadcast [4]",
                    x -> f.apply(x[0].add(x[1]), x[0]), in -> of(in.any(4), in.away(3, 4)));
            add(c, op, "transposed", x -> f.apply(x[0].t(), x[0].t().add(x[1])), in -> of(in.any(3, 2), in.away(2, 3)));
            add(c, op, "sliced with step 2", x -> f.apply(x[0].slice(1, 0, 6, 2), x[0].slice(1, 1, 6, 2)),
                    in -> of(in.distinct(2, 6)));
            return;
        }
        add(c, op, "[2, 3] and [2, 3]", x -> f.apply(x[0], x[1]), in -> of(left.apply(new int[]{2, 3}).apply(in), in.away(2, 3)));
        add(c, op, "[3, 1] and [1, 4]", x -> f.apply(x[0], x[1]), in -> of(left.apply(new int[]{3, 1}).apply(in), in.away(1, 4)));
        add(c, op, "[2, 3] and [3]", x -> f.apply(x[0], x[1]), in -> of(left.apply(new int[]{2, 3}).apply(in), in.away(3)));
        add(c, op, "[3] and [2, 3]", x -> f.apply(x[0], x[1]), in -> of(left.apply(new int[]{3}).apply(in), in.away(2, 3)));
        add(c, op, "[2, 3] and 0-d", x -> f.apply(x[0], x[1]), in -> of(left.apply(new int[]{2, 3}).apply(in), in.away()));
        add(c, op, "transposed [3, 2]^T and [2, 3]", x -> f.apply(x[0].t(), x[1]),
                in -> of(left.apply(new int[]{3, 2}).apply(in), in.away(2, 3)));
        add(c, op, "[2, 3] and transposed", x -> f.apply(x[0], x[1].t()),
                in -> of(left.apply(new int[]{2, 3}).apply(in), in.away(3, 2)));
        add(c, op, "sliced with step 2", x -> f.apply(x[0].slice(1, 0, 6, 2), x[1].slice(0, 1, 4, 2)),
                in -> of(left.apply(new int[]{2, 6}).apply(in), in.away(4, 3)));
        add(c, op, "expanded [3, 1] to [3, 4]", x -> f.apply(x[0].expand(3, 4), x[1]),
                in -> of(left.apply(new int[]{3, 1}).apply(in), in.away(3, 4)));
        add(c, op, "same tensor twice", x -> f.apply(x[0], x[0]), in -> of(left.apply(new int[]{2, 3}).apply(in)));
    }

    private static void binaryCases(List<Case> c) {
        binary(c, "add", Tensor::add, false, false);
        binary(c, "sub", Tensor::sub, false, false);
        binary(c, "mul", Tensor::mul, false, false);
        binary(c, "div", Tensor::div, false, false);
        binary(c, "pow", Tensor::pow, true, false);
        binary(c, "maximum", Tensor::maximum, false, true);
        binary(c, "minimum", Tensor::minimum, false, true);
        add(c, "add(alpha)", "[2, 3] + -1.5 * [3]", x -> x[0].add(x[1], -1.5), in -> of(in.any(2, 3), in.any(3)));
        // the exponent is a constant (its own derivative is undefined for a negative base)
        add(c, "pow", "negative base, constant integral exponent tensor", x -> x[0].pow(Tensor.of(new double[]{2, 3, 4})),
                in -> of(in.away(2, 3)));
    }

    private static void scalarCases(List<Case> c) {
        add(c, "add", "scalar", x -> x[0].add(0.7), in -> of(in.any(2, 3)));
        add(c, "sub", "scalar", x -> x[0].sub(0.7), in -> of(in.any(2, 3)));
        add(c, "rsub", "scalar", x -> x[0].rsub(0.7), in -> of(in.any(2, 3)));
        add(c, "mul", "scalar", x -> x[0].mul(-1.3), in -> of(in.any(2, 3)));
        add(c, "div", "scalar", x -> x[0].div(-1.3), in -> of(in.any(2, 3)));
        add(c, "rdiv", "scalar", x -> x[0].rdiv(2.5), in -> of(in.away(2, 3)));
        add(c, "square", "[2, 3]", x -> x[0].square(), in -> of(in.any(2, 3)));
        for (double p : new double[]{3, 2, 1, 0, 0.5, -1.5, 2.5}) {
            boolean needsPositive = p != Math.rint(p) || p < 0;
            add(c, "pow(scalar)", "x^" + p, x -> x[0].pow(p), in -> of(needsPositive ? in.positive(2, 3) : in.any(2, 3)));
        }
        add(c, "pow(scalar)", "x^3 transposed", x -> x[0].t().pow(3), in -> of(in.any(3, 2)));
    }

    private static void unary(List<Case> c, String op, Function<Tensor, Tensor> f, Function<Inputs, Function<int[], Tensor>> domain) {
        add(c, op, "[2, 3]", x -> f.apply(x[0]), in -> of(domain.apply(in).apply(new int[]{2, 3})));
        add(c, op, "transposed", x -> f.apply(x[0].t()), in -> of(domain.apply(in).apply(new int[]{3, 2})));
        add(c, op, "sliced with step 2", x -> f.apply(x[0].slice(0, 1, 5, 2)), in -> of(domain.apply(in).apply(new int[]{5, 2})));
    }

    private static void unaryCases(List<Case> c) {
        Function<Inputs, Function<int[], Tensor>> any = in -> in::any;
        Function<Inputs, Function<int[], Tensor>> positive = in -> in::positive;
        Function<Inputs, Function<int[], Tensor>> away = in -> in::away;
        Function<Inputs, Function<int[], Tensor>> offGrid = in -> in::offGrid;
        unary(c, "neg", Tensor::neg, any);
        unary(c, "abs", Tensor::abs, away);
        unary(c, "sign", Tensor::sign, offGrid);
        unary(c, "floor", Tensor::floor, offGrid);
        unary(c, "ceil", Tensor::ceil, offGrid);
        unary(c, "round", Tensor::round, offGrid);
        unary(c, "exp", Tensor::exp, any);
        unary(c, "expm1", Tensor::expm1, any);
        unary(c, "log", Tensor::log, positive);
        unary(c, "log1p", Tensor::log1p, positive);
        unary(c, "sqrt", Tensor::sqrt, positive);
        unary(c, "rsqrt", Tensor::rsqrt, positive);
        unary(c, "reciprocal", Tensor::reciprocal, away);
        unary(c, "sin", Tensor::sin, any);
        unary(c, "cos", Tensor::cos, any);
        unary(c, "tanh", Tensor::tanh, any);
        unary(c, "sigmoid", Tensor::sigmoid, any);
        unary(c, "erf", Tensor::erf, any);
        unary(c, "relu", Tensor::relu, away);
        unary(c, "leakyRelu", x -> x.leakyRelu(0.2), away);
        unary(c, "gelu", Tensor::gelu, any);
        unary(c, "geluTanh", Tensor::geluTanh, any);
        unary(c, "silu", Tensor::silu, any);
        unary(c, "softplus", Tensor::softplus, any);
        add(c, "softplus", "beta 2, threshold 3, both sides of the threshold", x -> x[0].softplus(2, 3),
                in -> of(Tensor.of(new double[]{-2, -0.3, 0.4, 1.2, 1.45, 1.55, 2.5, 4})));
        add(c, "softplus", "at 0 (derivative 1/2)", x -> x[0].softplus(), in -> of(Tensor.of(new double[]{0, 0.5})));
        add(c, "clamp", "[-0.5, 0.8], away from the bounds", x -> x[0].clamp(-0.5, 0.8),
                in -> of(Tensor.of(new double[]{-1.7, -0.6, -0.3, 0, 0.4, 0.7, 0.95, 1.8})));
        add(c, "clampMin", "0.3", x -> x[0].clampMin(0.3), in -> of(Tensor.of(new double[]{-1, 0.1, 0.5, 2}).reshape(2, 2)));
        add(c, "clampMax", "0.3", x -> x[0].clampMax(0.3), in -> of(Tensor.of(new double[]{-1, 0.1, 0.5, 2}).reshape(2, 2).t()));
        add(c, "where", "condition [2, 1], a [2, 3], b [3]", x -> Tensor.where(x[0], x[1], x[2]),
                in -> of(in.mask(2, 1), in.any(2, 3), in.any(3)));
        add(c, "where", "x.where(cond, y), transposed", x -> x[1].t().where(x[0], x[2]),
                in -> of(in.mask(2, 3), in.any(3, 2), in.any(2, 3)));
        add(c, "where", "0-d branches", x -> Tensor.where(x[0], x[1], x[2]), in -> of(in.mask(2, 3), in.any(), in.any()));
        add(c, "maskedFill", "broadcast mask", x -> x[1].maskedFill(x[0], 3.5), in -> of(in.mask(3), in.any(2, 3)));
        add(c, "maskedFill", "transposed", x -> x[1].t().maskedFill(x[0], -1), in -> of(in.mask(2, 3), in.any(3, 2)));
        c.add(new Case("cast", "FLOAT64 -> FLOAT32 -> FLOAT64 (wide step)",
                x -> x[0].to(DType.FLOAT32).mul(x[0].to(DType.FLOAT32)).to(DType.FLOAT64), in -> of(in.any(2, 3)), FLOAT32_INSIDE));
        add(c, "cast", "FLOAT64 -> FLOAT64 (identity) and to INT64 (no gradient) mixed in",
                x -> x[0].to(DType.FLOAT64).mul(x[0].to(DType.INT64).to(DType.FLOAT64)), in -> of(in.offGrid(2, 3)));
        c.add(new Case("cast", "FLOAT32 inside (wide step)", x -> x[0].to(DType.FLOAT32).exp().mul(x[1].to(DType.FLOAT32)),
                in -> of(in.any(2, 3), in.any(2, 3)), FLOAT32_INSIDE));
    }

    private static void reductionCases(List<Case> c) {
        add(c, "sum", "all", x -> x[0].sum(), in -> of(in.any(2, 3, 4)));
        add(c, "sum", "dim 1", x -> x[0].sum(1), in -> of(in.any(2, 3, 4)));
        add(c, "sum", "dims {0, 2} keepDim", x -> x[0].sum(new int[]{0, -1}, true), in -> of(in.any(2, 3, 4)));
        add(c, "sum", "transposed", x -> x[0].t().sum(0), in -> of(in.any(3, 2)));
        add(c, "sum", "sliced with step 2", x -> x[0].slice(1, 0, 5, 2).sum(1), in -> of(in.any(3, 5)));
        add(c, "mean", "all", x -> x[0].mean(), in -> of(in.any(2, 3)));
        add(c, "mean", "dim -1 keepDim", x -> x[0].mean(-1, true), in -> of(in.any(2, 3)));
        add(c, "mean", "dims {0, 1} of transposed", x -> x[0].permute(2, 0, 1).mean(new int[]{0, 1}, false),
                in -> of(in.any(2, 3, 4)));
        add(c, "prod", "all", x -> x[0].prod(), in -> of(in.away(2, 3)));
        add(c, "prod", "dim 1", x -> x[0].prod(1, false), in -> of(in.away(3, 4)));
        add(c, "prod", "dim 0 keepDim transposed", x -> x[0].t().prod(0, true), in -> of(in.away(3, 2)));
        add(c, "max", "all", x -> x[0].max(), in -> of(in.distinct(3, 4)));
        add(c, "min", "all", x -> x[0].min(), in -> of(in.distinct(3, 4)));
        add(c, "amax", "dims {0, 2}", x -> x[0].amax(new int[]{0, 2}, false), in -> of(in.distinct(2, 3, 4)));
        add(c, "amax", "dim 1 keepDim transposed", x -> x[0].t().amax(new int[]{1}, true), in -> of(in.distinct(4, 3)));
        add(c, "amin", "dim -1", x -> x[0].amin(new int[]{-1}, false), in -> of(in.distinct(2, 3, 4)));
        add(c, "max(dim)", "values along 1", x -> x[0].max(1, false).values(), in -> of(in.distinct(3, 4)));
        add(c, "max(dim)", "values along 0 keepDim, transposed", x -> x[0].t().max(0, true).values(), in -> of(in.distinct(3, 4)));
        add(c, "min(dim)", "values along -1", x -> x[0].min(-1, false).values(), in -> of(in.distinct(2, 3, 4)));
        add(c, "var", "all (correction 1)", x -> x[0].var(), in -> of(in.any(2, 3)));
        add(c, "var", "dim 1 correction 0 keepDim", x -> x[0].var(new int[]{1}, 0, true), in -> of(in.any(3, 4)));
        add(c, "var", "dims {0, 2} correction 1", x -> x[0].var(new int[]{0, 2}, 1, false), in -> of(in.any(2, 3, 4)));
        add(c, "std", "all", x -> x[0].std(), in -> of(in.any(2, 3)));
        add(c, "std", "dim 0 transposed", x -> x[0].t().std(new int[]{0}, 1, false), in -> of(in.any(3, 4)));
        add(c, "logsumexp", "dim 1", x -> x[0].logsumexp(1, false), in -> of(in.any(3, 4)));
        add(c, "logsumexp", "dims {0, 1} keepDim", x -> x[0].logsumexp(new int[]{0, 1}, true), in -> of(in.any(3, 4)));
        add(c, "logsumexp", "large values", x -> x[0].add(1000).logsumexp(-1, false), in -> of(in.any(2, 5)));
        add(c, "norm", "p = 2", x -> x[0].norm(), in -> of(in.any(2, 3)));
        add(c, "norm", "p = 1", x -> x[0].norm(1), in -> of(in.away(2, 3)));
        add(c, "norm", "p = 3", x -> x[0].norm(3), in -> of(in.away(2, 3)));
        add(c, "norm", "p = inf", x -> x[0].norm(Double.POSITIVE_INFINITY), in -> of(in.distinct(2, 3)));
        add(c, "norm", "p = 2 along dim 1", x -> x[0].norm(2, new int[]{1}, false), in -> of(in.any(3, 4)));
        add(c, "norm", "p = 1 along dim 0 keepDim, transposed", x -> x[0].t().norm(1, new int[]{0}, true), in -> of(in.away(3, 4)));
        add(c, "softmax", "dim 1", x -> x[0].softmax(1), in -> of(in.any(3, 4)));
        add(c, "softmax", "dim 0 of transposed", x -> x[0].t().softmax(0), in -> of(in.any(3, 4)));
        add(c, "softmax", "dim 1 of [2, 3, 4]", x -> x[0].softmax(1), in -> of(in.any(2, 3, 4)));
        add(c, "logSoftmax", "dim -1", x -> x[0].logSoftmax(-1), in -> of(in.any(3, 4)));
        add(c, "logSoftmax", "dim 0, large values", x -> x[0].add(500).logSoftmax(0), in -> of(in.any(3, 4)));
    }

    private static void matmulCases(List<Case> c) {
        add(c, "matmul", "[3] . [3]", x -> x[0].matmul(x[1]), in -> of(in.any(3), in.any(3)));
        add(c, "matmul", "[3] @ [3, 4]", x -> x[0].matmul(x[1]), in -> of(in.any(3), in.any(3, 4)));
        add(c, "matmul", "[2, 3] @ [3]", x -> x[0].matmul(x[1]), in -> of(in.any(2, 3), in.any(3)));
        add(c, "matmul", "[2, 3] @ [3, 4]", x -> x[0].matmul(x[1]), in -> of(in.any(2, 3), in.any(3, 4)));
        add(c, "matmul", "[2, 2, 3] @ [2, 3, 4]", x -> x[0].matmul(x[1]), in -> of(in.any(2, 2, 3), in.any(2, 3, 4)));
        add(c, "matmul", "[2, 1, 2, 3] @ [3, 3, 2] (broadcast batch)", x -> x[0].matmul(x[1]),
                in -> of(in.any(2, 1, 2, 3), in.any(3, 3, 2)));
        add(c, "matmul", "[2, 2, 3] @ [3, 4]", x -> x[0].matmul(x[1]), in -> of(in.any(2, 2, 3), in.any(3, 4)));
        add(c, "matmul", "[2, 3] @ [2, 3, 4]", x -> x[0].matmul(x[1]), in -> of(in.any(2, 3), in.any(2, 3, 4)));
        add(c, "matmul", "[3] @ [2, 3, 4]", x -> x[0].matmul(x[1]), in -> of(in.any(3), in.any(2, 3, 4)));
        add(c, "matmul", "[2, 2, 3] @ [3]", x -> x[0].matmul(x[1]), in -> of(in.any(2, 2, 3), in.any(3)));
        add(c, "matmul", "transposed operands", x -> x[0].t().matmul(x[1].t()), in -> of(in.any(3, 2), in.any(4, 3)));
        add(c, "matmul", "sliced operand", x -> x[0].slice(1, 0, 6, 2).matmul(x[1]), in -> of(in.any(2, 6), in.any(3, 2)));
        add(c, "matmul", "same tensor twice (x @ x^T)", x -> x[0].matmul(x[0].t()), in -> of(in.any(3, 4)));
    }

    private static void viewCases(List<Case> c) {
        Function<Tensor, Tensor> weights = t -> t; // GradCheck already weights every output element
        add(c, "reshape", "[2, 3, 4] -> [4, -1]", x -> weights.apply(x[0].reshape(4, -1)).exp(), in -> of(in.any(2, 3, 4)));
        add(c, "reshape", "of a transposed tensor (copies)", x -> x[0].t().reshape(6).exp(), in -> of(in.any(2, 3)));
        add(c, "view", "[6] -> [3, 2]", x -> x[0].view(3, 2).exp(), in -> of(in.any(6)));
        add(c, "permute", "(2, 0, 1)", x -> x[0].permute(2, 0, 1).exp(), in -> of(in.any(2, 3, 4)));
        add(c, "transpose", "(0, 2)", x -> x[0].transpose(0, 2).sin(), in -> of(in.any(2, 3, 4)));
        add(c, "t", "[2, 3]", x -> x[0].t().mul(x[1]), in -> of(in.any(2, 3), in.any(3, 2)));
        add(c, "expand", "[3, 1] -> [2, 3, 4]", x -> x[0].expand(2, 3, 4).mul(x[1]), in -> of(in.any(3, 1), in.any(2, 3, 4)));
        add(c, "expand", "0-d -> [2, 2]", x -> x[0].expand(2, 2).mul(x[1]), in -> of(in.any(), in.any(2, 2)));
        add(c, "expandAs", "[1, 3] as [4, 3]", x -> x[0].expandAs(x[1]).mul(x[1]), in -> of(in.any(1, 3), in.any(4, 3)));
        add(c, "slice", "step 1", x -> x[0].slice(1, 1, 4).exp(), in -> of(in.any(3, 5)));
        add(c, "slice", "step 2", x -> x[0].slice(1, 0, 5, 2).exp(), in -> of(in.any(3, 5)));
        add(c, "slice", "step 3 along dim 0, from 1", x -> x[0].slice(0, 1, 8, 3).exp(), in -> of(in.any(8, 2)));
        add(c, "slice", "of a slice", x -> x[0].slice(1, 1, 6, 2).slice(0, 0, 3, 2).exp(), in -> of(in.any(3, 6)));
        add(c, "narrow", "dim 1", x -> x[0].narrow(1, 1, 2).exp(), in -> of(in.any(3, 4)));
        add(c, "select", "dim 0 index -1", x -> x[0].select(0, -1).exp(), in -> of(in.any(3, 4)));
        add(c, "select", "dim 1 of transposed", x -> x[0].t().select(1, 2).exp(), in -> of(in.any(3, 4)));
        add(c, "squeeze", "all", x -> x[0].squeeze().exp(), in -> of(in.any(1, 3, 1)));
        add(c, "squeeze", "dim 2", x -> x[0].squeeze(2).exp(), in -> of(in.any(1, 3, 1)));
        add(c, "unsqueeze", "dim 1", x -> x[0].unsqueeze(1).mul(x[1]), in -> of(in.any(3), in.any(3, 2)));
        add(c, "flatten", "all", x -> x[0].flatten().exp(), in -> of(in.any(2, 3)));
        add(c, "flatten", "dims 1..2 of transposed", x -> x[0].transpose(0, 2).flatten(1, 2).exp(), in -> of(in.any(2, 3, 4)));
        add(c, "contiguous", "of transposed", x -> x[0].t().contiguous().exp(), in -> of(in.any(2, 3)));
    }

    private static void joiningCases(List<Case> c) {
        add(c, "cat", "three along dim 1, one transposed", x -> Tensor.cat(1, x[0], x[1].t(), x[2]).exp(),
                in -> of(in.any(2, 3), in.any(1, 2), in.any(2, 2)));
        add(c, "cat", "along dim 0", x -> Tensor.cat(List.of(x[0], x[1]), 0).exp(), in -> of(in.any(2, 3), in.any(1, 3)));
        add(c, "stack", "dim 0", x -> Tensor.stack(List.of(x[0], x[1]), 0).exp(), in -> of(in.any(2, 3), in.any(2, 3)));
        add(c, "stack", "dim -1, same tensor twice", x -> Tensor.stack(List.of(x[0], x[1], x[0]), -1).exp(),
                in -> of(in.any(2, 3), in.any(2, 3)));
        add(c, "split", "size 2 along dim 0", x -> {
            List<Tensor> p = x[0].split(2, 0);
            return p.get(0).mul(2).add(p.get(1).exp()).add(p.get(2).mul(p.get(0)));
        }, in -> of(in.any(6, 2)));
        add(c, "split", "sizes {1, 3} along dim 1", x -> {
            List<Tensor> p = x[0].split(new int[]{1, 3}, 1);
            return p.get(1).mul(p.get(0));
        }, in -> of(in.any(2, 4)));
        add(c, "chunk", "3 chunks of 7", x -> {
            List<Tensor> p = x[0].chunk(3, 0);
            return Tensor.cat(0, p.get(2).exp(), p.get(0).mul(p.get(1)));
        }, in -> of(in.any(7)));
        add(c, "pad", "(1, 2) with value 0.5", x -> x[0].pad(new int[]{1, 2}, 0.5).exp(), in -> of(in.any(2, 3)));
        add(c, "pad", "two dims", x -> x[0].pad(1, 0, 2, 1).exp(), in -> of(in.any(2, 3)));
        add(c, "pad", "negative (crop)", x -> x[0].pad(-1, 1, 0, -1).exp(), in -> of(in.any(3, 4)));
        add(c, "pad", "of transposed", x -> x[0].t().pad(1, 1).exp(), in -> of(in.any(2, 3)));
    }

    private static void indexingCases(List<Case> c) {
        add(c, "gather", "dim 1, repeated indices", x -> x[0].gather(1, x[1]).exp(), in -> of(in.any(3, 4), in.index(4, 3, 5)));
        add(c, "gather", "dim 0, index smaller than input", x -> x[0].gather(0, x[1]).exp(), in -> of(in.any(4, 3), in.index(4, 2, 2)));
        add(c, "gather", "transposed input", x -> x[0].t().gather(0, x[1]).exp(), in -> of(in.any(3, 4), in.index(4, 2, 3)));
        add(c, "scatterAdd", "self and src, dim 0, duplicates", x -> x[0].scatterAdd(0, x[1], x[2]).exp(),
                in -> of(in.any(3, 2), in.index(3, 4, 2), in.any(4, 2)));
        add(c, "scatterAdd", "self and src, dim 1", x -> x[0].scatterAdd(1, x[1], x[2]).exp(),
                in -> of(in.any(2, 4), in.index(4, 2, 3), in.any(2, 3)));
        add(c, "scatterAdd", "src larger than index", x -> x[0].scatterAdd(1, x[1], x[2]).exp(),
                in -> of(in.any(2, 4), in.index(4, 2, 2), in.any(2, 3)));
        add(c, "scatterAdd", "transposed self and src", x -> x[0].t().scatterAdd(0, x[1], x[2].t()).exp(),
                in -> of(in.any(2, 3), in.index(3, 2, 2), in.any(2, 2)));
        add(c, "indexSelect", "dim 0, repeated", x -> x[0].indexSelect(0, x[1]).exp(), in -> of(in.any(3, 2), in.longs(2, 0, 2, 2)));
        add(c, "indexSelect", "dim 1 of transposed", x -> x[0].t().indexSelect(1, x[1]).exp(), in -> of(in.any(3, 2), in.longs(1, 1)));
    }

    /** The convolution, pooling and linear-layer primitives, and the backward-only ops as functions of their own. */
    private static void windowCases(List<Case> c) {
        Conv2dGeometry k3 = Conv2dGeometry.of(3, 1, 1, 1);
        Conv2dGeometry k2s2 = Conv2dGeometry.of(2, 2, 0, 1);
        add(c, "conv2d", "3x3 padding 1 with bias", x -> Convolutions.conv2d(x[0], x[1], x[2], k3, 1),
                in -> of(in.any(2, 2, 4, 5), in.any(3, 2, 3, 3), in.any(3)));
        add(c, "conv2d", "2x2 stride 2, groups 2, fused ReLU", x -> Convolutions.conv2d(x[0], x[1], null, k2s2, 2,
                FusedActivation.RELU), in -> of(in.any(1, 4, 4, 5), in.any(2, 2, 2, 2)));
        add(c, "linear", "[2, 3, 4] with bias", x -> Dense.linear(x[0], x[1], x[2]),
                in -> of(in.any(2, 3, 4), in.any(5, 4), in.any(5)));
        add(c, "linear", "fused ReLU, no bias", x -> Dense.linear(x[0], x[1], null, FusedActivation.RELU),
                in -> of(in.any(3, 4), in.any(2, 4)));
        add(c, "unfold2d", "3x3 padding 1", x -> x[0].unfold2d(k3), in -> of(in.any(1, 2, 4, 3)));
        add(c, "fold2d", "3x3 padding 1 (overlapping windows)", x -> x[0].fold2d(k3, 4, 3), in -> of(in.any(1, 18, 12)));
        add(c, "maxPool2d", "2x2 stride 2", x -> Convolutions.maxPool2d(x[0], k2s2), in -> of(in.distinct(2, 2, 4, 5)));
        add(c, "maxPool2d", "3x3 stride 1 padding 1", x -> Convolutions.maxPool2d(x[0], k3), in -> of(in.distinct(1, 2, 4, 4)));
        // The backward-only ops are linear in their gradient inputs; checking them as functions checks the rules
        // that second derivatives of conv2d and maxPool2d run.
        add(c, "conv2dBackwardData", "3x3 padding 1", x -> Convolutions.conv2dBackwardData(x[0], x[1], k3, 1, 4, 5),
                in -> of(in.any(2, 3, 4, 5), in.any(3, 2, 3, 3)));
        add(c, "conv2dBackwardFilter", "2x2 stride 2, groups 2",
                x -> Convolutions.conv2dBackwardFilter(x[0], x[1], k2s2, 2, 2), in -> of(in.any(1, 4, 4, 5), in.any(1, 2, 2, 2)));
        // the input only chooses the positions (distinct values: the choice does not change within the step)
        add(c, "maxPool2dBackward", "2x2 stride 2", x -> Convolutions.maxPool2dBackward(x[0], x[1], k2s2),
                in -> of(in.any(2, 2, 2, 2), in.distinct(2, 2, 4, 5)));
    }

    /**
     * Batch norm: in training mode the statistics are the input's own, so the rule differentiates through them; in
     * eval mode every input (the given statistics too) is differentiable.
     */
    private static void normalizationCases(List<Case> c) {
        add(c, "batchNorm", "training, [N, C, H, W]", x -> trainingBatchNorm(x[0], x[1], x[2]),
                in -> of(in.any(3, 2, 2, 3), in.any(2), in.any(2)));
        add(c, "batchNorm", "training, [N, C]", x -> trainingBatchNorm(x[0], x[1], x[2]),
                in -> of(in.any(5, 3), in.any(3), in.any(3)));
        add(c, "batchNorm", "training, transposed input", x -> trainingBatchNorm(x[0].transpose(0, 1), x[1], x[2]),
                in -> of(in.any(2, 4, 3), in.any(2), in.any(2)));
        add(c, "batchNorm", "eval, every input", x -> Normalization.batchNorm(x[0], x[1], x[2], x[3], x[4], 1e-5, false),
                in -> of(in.any(2, 3, 2, 2), in.any(3), in.positive(3), in.any(3), in.any(3)));
    }

    private static Tensor trainingBatchNorm(Tensor x, Tensor weight, Tensor bias) {
        Tensor stats = Normalization.batchNormStats(x);
        return Normalization.batchNorm(x, stats.select(0, 0), stats.select(0, 1), weight, bias, 1e-5, true);
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return CASES.stream().map(k -> DynamicTest.dynamicTest(k.toString(), () -> {
            GradCheck.Result result = GradCheck.check(k.options(), k.f(), freshInputs(k));
            if (!result.passed()) {
                fail(k + ": " + result.message());
            }
            // GradCheck passes an output that depends on no differentiable input: that would check nothing
            assertTrue(result.message().startsWith("passed"), k + ": " + result.message());
        }));
    }

    private static Tensor[] freshInputs(Case k) {
        return k.inputs().apply(new Inputs(k.toString().hashCode()));
    }

    /** The primitives each case records on the autograd tape, by case (numbered: names need not be unique). */
    private static Map<String, Set<String>> recordedByCase(List<Case> cases) {
        Map<String, Set<String>> recorded = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Case k = cases.get(i);
            recorded.put("case " + i + " (" + k + ")", GradientCoverage.recordedOnTape(k.f(), freshInputs(k)));
        }
        return recorded;
    }

    /** Coverage derived from the op records and enums: a new primitive without a gradient case fails here. */
    @Test
    void everyPrimitiveOpHasAGradientCase() {
        Map<String, Set<String>> recorded = recordedByCase(CASES);
        assertEquals(new TreeSet<>(), GradientCoverage.uncovered(recorded.values()),
                "primitive ops without a finite-difference gradient case (add one to GradientSuite, or, if the op is "
                        + "not differentiable by design, to GradientCoverage.NOT_DIFFERENTIABLE with the reason)");
        assertEquals(Map.of(), GradientCoverage.allowListedButRecorded(recorded),
                "ops listed as not differentiable but recorded for autograd by a case: they need a gradient case");
        TreeSet<String> stale = new TreeSet<>(GradientCoverage.NOT_DIFFERENTIABLE.keySet());
        stale.removeAll(GradientCoverage.primitives());
        assertEquals(new TreeSet<>(), stale, "NOT_DIFFERENTIABLE names ops that do not exist");
    }

    @Test
    void coverageNamesTheOpsOfRemovedCases() {
        // the cos cases are the only ones that run cos forward: without them, Unary.COS has no check
        List<Case> withoutCos = CASES.stream().filter(k -> !k.op().equals("cos")).toList();
        assertEquals(new TreeSet<>(Set.of("Unary.COS")), GradientCoverage.uncovered(recordedByCase(withoutCos).values()));
        SortedSet<String> all = GradientCoverage.primitives();
        all.removeAll(GradientCoverage.NOT_DIFFERENTIABLE.keySet());
        assertEquals(all, GradientCoverage.uncovered(List.of()));
        assertTrue(all.containsAll(Set.of("Unary.EXP", "Binary.POW", "Reduce.PROD", "MatMul", "Conv2d",
                "MaxPool2dBackward")), "primitives: " + all);
    }

    /** Every name of the differentiable Tensor API (composites included) has a case. */
    @Test
    void everyDifferentiableApiNameIsChecked() {
        TreeSet<String> missing = new TreeSet<>(REQUIRED);
        CASES.forEach(k -> missing.remove(k.op()));
        assertTrue(missing.isEmpty(), "ops without a gradient check: " + missing);
    }

    // ------------------------------------------------------------------ a wrong rule is caught

    /**
     * {@code value} with {@code derivative} as its gradient with respect to x: an elementwise op whose backward
     * rule is {@code g * derivative}, made of real ops, so no broken rule has to live in main code.
     */
    private static Tensor withRule(Tensor x, Tensor value, Tensor derivative) {
        return value.detach().add(x.sub(x.detach()).mul(derivative.detach()));
    }

    /** A unary op {@code y = op(x)} with its right derivative and a plausible slip, both in terms of (x, y). */
    private record Rule(String slip, Function<Tensor, Tensor> op, BinaryOperator<Tensor> right,
                        BinaryOperator<Tensor> wrong) {
    }

    private static final List<Rule> SLIPS = List.of(
            new Rule("tanh: the square dropped", Tensor::tanh, (x, y) -> y.mul(y).rsub(1), (x, y) -> y.rsub(1)),
            new Rule("cos: the sign lost", Tensor::cos, (x, y) -> x.sin().neg(), (x, y) -> x.sin()),
            new Rule("sigmoid: a factor dropped", Tensor::sigmoid, (x, y) -> y.mul(y.rsub(1)), (x, y) -> y),
            new Rule("exp: one percent off", Tensor::exp, (x, y) -> y, (x, y) -> y.mul(1.01)));

    @TestFactory
    Stream<DynamicTest> aWrongRuleFailsTheCheck() {
        return SLIPS.stream().map(r -> DynamicTest.dynamicTest(r.slip(), () -> {
            Tensor input = new Inputs(r.slip().hashCode()).any(2, 3);
            GradCheck.Result right = GradCheck.check(DEFAULT,
                    x -> withRule(x[0], r.op().apply(x[0]), r.right().apply(x[0], r.op().apply(x[0]))), input);
            assertTrue(right.message().startsWith("passed"), "the right rule must pass: " + right.message());
            GradCheck.Result wrong = GradCheck.check(DEFAULT,
                    x -> withRule(x[0], r.op().apply(x[0]), r.wrong().apply(x[0], r.op().apply(x[0]))), input);
            assertFalse(wrong.passed(), "a wrong rule passed: " + wrong.message());
            assertTrue(wrong.message().startsWith("gradient check failed for input 0"), wrong.message());
        }));
    }

    // ------------------------------------------------------------------ second order

    @Test
    void secondDerivativeOfCubeIsSixX() {
        Tensor x = f64(-1.5, 0.5, 2).requiresGrad(true);
        x.pow(3).sum().backward(null, false, true);
        Tensor first = x.grad();
        assertValues(first, 3 * 2.25, 3 * 0.25, 12);
        assertTrue(first.requiresGrad(), "with createGraph the gradient is itself differentiable");
        x.setGrad(null);
        first.sum().backward();
        assertValues(x.grad(), -9, 3, 12);
    }

    @Test
    void secondDerivativeThroughMulAndTanh() {
        Tensor x = f64(0.3, -0.7).requiresGrad(true);
        x.mul(x).mul(x).sum().backward(null, true, true); // the gradient's graph uses the forward graph's x*x
        Tensor g = x.grad();
        x.setGrad(null);
        g.sum().backward();
        assertValues(x.grad(), 1.8, -4.2);

        Tensor y = f64(0.4).requiresGrad(true);
        y.tanh().sum().backward(null, true, true);
        Tensor dy = y.grad();
        y.setGrad(null);
        dy.sum().backward();
        double t = Math.tanh(0.4);
        assertValues(y.grad(), -2 * t * (1 - t * t));
    }
}
