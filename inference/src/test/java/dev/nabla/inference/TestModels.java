package dev.nabla.inference;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Activation;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small versions of the example models, with batch-norm statistics that are not the identity. */
public final class TestModels {
    private TestModels() {
    }

    /** Flatten, 64-32-ReLU-16-ReLU-10 on [N, 1, 8, 8]. */
    public static Module mlp() {
        Nabla.manualSeed(7);
        return new Sequential(new Flatten(), new Linear(64, 32), Activation.relu(), new Linear(32, 16),
                Activation.relu(), new Linear(16, 10));
    }

    /**
     * conv(1→8, 3x3, pad 1)[-BN]-ReLU-maxpool2-conv(8→16, 3x3, pad 1)[-BN]-ReLU-maxpool2-flatten-linear(64→32)
     * [-BN]-ReLU-linear(10) on [N, 1, 8, 8]: the example CNN's architecture at a small size.
     */
    public static Module cnn(boolean batchNorm) {
        Nabla.manualSeed(11);
        Sequential net = new Sequential();
        net.add(new Conv2d(1, 8, 3, 1, 1));
        if (batchNorm) {
            net.add(new BatchNorm2d(8));
        }
        net.add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Conv2d(8, 16, 3, 1, 1));
        if (batchNorm) {
            net.add(new BatchNorm2d(16));
        }
        net.add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Flatten()).add(new Linear(16 * 2 * 2, 32));
        if (batchNorm) {
            net.add(new BatchNorm1d(32));
        }
        net.add(Activation.relu()).add(new Linear(32, 10));
        if (batchNorm) {
            settleBatchNorm(net);
        }
        return net;
    }

    /**
     * conv(1→4, 3x3, pad 1)-ReLU-maxpool(3, stride 2, pad 1, ceil_mode: 8x8 → 5x5, the last window clipped)
     * [-avgpool(3, stride 1, pad 1, count_include_pad=False)-avgpool(2, ceil_mode: 5x5 → 3x3)]-flatten-linear(10)
     * on [N, 1, 8, 8]. ONNX has no export for the average poolings (Nabla computes them from unfold), so
     * {@code withAvg} false leaves them out.
     */
    public static Module ceilModePooling(boolean withAvg) {
        Nabla.manualSeed(13);
        Sequential net = new Sequential(new Conv2d(1, 4, 3, 1, 1), Activation.relu(), new MaxPool2d(3, 2, 1, 1, true));
        if (withAvg) {
            net.add(new AvgPool2d(3, 1, 1, false, false)).add(new AvgPool2d(2, 2, 0, true, true));
        }
        int side = withAvg ? 3 : 5;
        return net.add(new Flatten()).add(new Linear(4 * side * side, 10));
    }

    /** Gives every batch norm running statistics and an affine part away from their initial values. */
    static void settleBatchNorm(Module net) {
        net.train();
        try (var off = GradMode.noGrad()) {
            for (int i = 0; i < 5; i++) {
                net.call(input(16, 100 + i));
            }
            for (var e : net.namedModules().entrySet()) {
                if (e.getValue() instanceof dev.nabla.nn.BatchNorm bn) {
                    int c = bn.parameter("weight").numel();
                    bn.parameter("weight").copyFrom(Tensor.rand(c).add(0.5));
                    bn.parameter("bias").copyFrom(Tensor.randn(c).mul(0.1));
                }
            }
        }
        net.eval();
    }

    /** A batch of [batch, 1, 8, 8] inputs drawn from {@code seed}. */
    public static Tensor input(int batch, long seed) {
        Nabla.manualSeed(seed);
        return Tensor.randn(batch, 1, 8, 8);
    }

    /** The model's output in eval mode, computed eagerly. */
    public static Tensor eager(Module model, Tensor input) {
        model.eval();
        try (var off = GradMode.noGrad()) {
            return model.call(input);
        }
    }

    /** Bit-for-bit equality of two float tensors. */
    public static void assertBitwiseEqual(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
                    what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
        }
    }

    /** The largest |expected - actual| divided by the largest |expected|. */
    public static double relativeError(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
            maxAbs = Math.max(maxAbs, Math.abs(e[i]));
        }
        return maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
    }
}
