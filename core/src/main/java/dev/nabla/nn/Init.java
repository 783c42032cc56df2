package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;

/**
 * In-place initializers with PyTorch's definitions ({@code torch.nn.init}); they draw from the global
 * generator ({@link Nabla#manualSeed}) and record nothing in autograd.
 */
public final class Init {
    private Init() {
    }

    /** Fan-in and fan-out of a weight: [out, in] for linear layers, [out, in/groups, k...] for convolutions. */
    public static int[] fans(Tensor weight) {
        int[] s = weight.shape();
        if (s.length < 2) {
            throw new ShapeException("init: fan in/out needs a weight of rank >= 2, found " + Shapes.str(s));
        }
        int receptive = 1;
        for (int d = 2; d < s.length; d++) {
            receptive *= s[d];
        }
        return new int[]{s[1] * receptive, s[0] * receptive};
    }

    /** Uniform in [low, high), made on {@code t}'s device. */
    public static Tensor uniform(Tensor t, double low, double high) {
        return write(t, Tensor.uniform(Nabla.generator(), t.device(), drawType(t), low, high, t.shape()));
    }

    /** Normal with {@code mean} and standard deviation {@code std}, made on {@code t}'s device. */
    public static Tensor normal(Tensor t, double mean, double std) {
        return write(t, Tensor.normal(Nabla.generator(), t.device(), drawType(t), mean, std, t.shape()));
    }

    /** The dtype values are drawn in: {@code t}'s if the backend draws it, else FLOAT32 (then converted). */
    private static DType drawType(Tensor t) {
        return t.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    public static Tensor constant(Tensor t, double value) {
        try (var off = GradMode.noGrad()) {
            return t.fillInPlace(value);
        }
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** Gain for a nonlinearity, as {@code torch.nn.init.calculate_gain}. */
    public static double gain(String nonlinearity, double negativeSlope) {
        return switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + negativeSlope * negativeSlope));
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("gain: unknown nonlinearity '" + nonlinearity + "'");
        };
    }

    /** He uniform: bound {@code gain * sqrt(3 / fanIn)}; {@code a} is the leaky-ReLU slope. */
    public static Tensor kaimingUniform(Tensor t, double a, String nonlinearity) {
        double std = gain(nonlinearity, a) / Math.sqrt(fans(t)[0]);
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound);
    }

    public static Tensor kaimingNormal(Tensor t, double a, String nonlinearity) {
        return normal(t, 0, gain(nonlinearity, a) / Math.sqrt(fans(t)[0]));
    }

    /** Glorot uniform: bound {@code gain * sqrt(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(Tensor t, double gain) {
        int[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -bound, bound);
    }

    public static Tensor xavierNormal(Tensor t, double gain) {
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /**
     * PyTorch's default for linear and convolution layers: {@code kaiming_uniform(a = sqrt(5))} for
     * the weight (a bound of {@code 1/sqrt(fanIn)}) and {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} for the bias.
     */
    public static void layerDefault(Tensor weight, Tensor bias) {
        kaimingUniform(weight, Math.sqrt(5), "leaky_relu");
        if (bias != null) {
            int fanIn = fans(weight)[0];
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform(bias, -bound, bound);
        }
    }

    private static Tensor write(Tensor t, Tensor values) {
        try (var off = GradMode.noGrad()) {
            return t.copyFrom(values);
        }
    }
}
