package dev.nabla.autograd;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences in float64. Works for any function
 * of tensors, so users can check their own ops and modules:
 * <pre>{@code
 * GradCheck.assertGradients(in -> in[0].matmul(in[1]).tanh(), Tensor.randn(3, 4), Tensor.randn(4, 2));
 * }</pre>
 * Floating-point inputs are converted to FLOAT64 copies that require grad; other inputs (indices,
 * masks) are passed unchanged. A non-scalar output is reduced with fixed random weights, so the
 * check tests the vector-Jacobian product that backward computes.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Finite-difference step and tolerances: passes where {@code |analytic - numeric| <= atol + rtol * |numeric|}. */
    public record Options(double eps, double atol, double rtol, long seed) {
        public static final Options DEFAULT = new Options(1e-6, 1e-5, 1e-3, 42);

        public Options withTolerance(double atol, double rtol) {
            return new Options(eps, atol, rtol, seed);
        }

        public Options withEps(double eps) {
            return new Options(eps, atol, rtol, seed);
        }
    }

    /** Outcome of a check; {@code message} names the worst element when it failed. */
    public record Result(boolean passed, double maxAbsError, String message) {
    }

    public static void assertGradients(Function<Tensor[], Tensor> f, Tensor... inputs) {
        assertGradients(Options.DEFAULT, f, inputs);
    }

    public static void assertGradients(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result result = check(options, f, inputs);
        if (!result.passed()) {
            throw new AssertionError(result.message());
        }
    }

    public static Result check(Options options, Function<Tensor[], Tensor> f, Tensor... inputs) {
        double[][] values = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype().isFloatingPoint()) {
                values[i] = inputs[i].toDoubleArray();
            }
        }
        Tensor[] analyticInputs = build(inputs, values, true);
        Tensor output = f.apply(analyticInputs);
        Tensor weights = randomWeights(output, options.seed());
        Tensor loss = output.to(DType.FLOAT64).mul(weights).sum();
        if (!loss.requiresGrad()) {
            return new Result(true, 0, "output does not depend on any differentiable input");
        }
        loss.backward();

        double worst = 0;
        String failure = null;
        for (int i = 0; i < inputs.length; i++) {
            if (values[i] == null) {
                continue;
            }
            Tensor grad = analyticInputs[i].grad();
            double[] analytic = grad == null ? new double[values[i].length] : grad.toDoubleArray();
            for (int j = 0; j < values[i].length; j++) {
                double saved = values[i][j];
                values[i][j] = saved + options.eps();
                double plus = evaluate(f, inputs, values, weights);
                values[i][j] = saved - options.eps();
                double minus = evaluate(f, inputs, values, weights);
                values[i][j] = saved;
                double numeric = (plus - minus) / (2 * options.eps());
                double error = Math.abs(analytic[j] - numeric);
                boolean ok = error <= options.atol() + options.rtol() * Math.abs(numeric)
                        || (Double.isNaN(analytic[j]) && Double.isNaN(numeric));
                if (error > worst || (!ok && failure == null)) {
                    worst = Math.max(worst, Double.isNaN(error) ? Double.POSITIVE_INFINITY : error);
                }
                if (!ok && failure == null) {
                    failure = String.format(Locale.ROOT,
                            "gradient check failed for input %d %s at flat index %d: analytic %.8g, numeric %.8g (|diff| %.3g)",
                            i, Arrays.toString(inputs[i].shape()), j, analytic[j], numeric, error);
                }
            }
        }
        return failure == null
                ? new Result(true, worst, String.format(Locale.ROOT, "passed, max |diff| %.3g", worst))
                : new Result(false, worst, failure);
    }

    private static Tensor[] build(Tensor[] originals, double[][] values, boolean requireGrad) {
        Tensor[] built = new Tensor[originals.length];
        for (int i = 0; i < originals.length; i++) {
            if (values[i] == null) {
                built[i] = originals[i];
            } else {
                built[i] = Tensor.of(values[i].clone()).reshape(originals[i].shape()).to(originals[i].device());
                if (requireGrad) {
                    built[i].requiresGrad(true);
                }
            }
        }
        return built;
    }

    private static double evaluate(Function<Tensor[], Tensor> f, Tensor[] originals, double[][] values, Tensor weights) {
        try (var ignored = GradMode.noGrad()) {
            return f.apply(build(originals, values, false)).to(DType.FLOAT64).mul(weights).sum().item();
        }
    }

    private static Tensor randomWeights(Tensor output, long seed) {
        Generator generator = new Generator(seed);
        double[] w = new double[output.numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5 + generator.nextDouble(); // away from zero so every output element counts
        }
        return Tensor.of(w).reshape(output.shape()).to(output.device());
    }
}
