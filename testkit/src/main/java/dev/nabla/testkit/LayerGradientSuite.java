package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradCheck;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Convolutions;
import dev.nabla.engine.Dense;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Functional;
import dev.nabla.nn.GRU;
import dev.nabla.nn.LSTM;
import dev.nabla.nn.LayerNorm;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.MultiheadAttention;
import dev.nabla.nn.Size2d;
import dev.nabla.nn.TransformerEncoderLayer;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Gradient checks through every layer. The functional forms ({@link Functional}) take explicit
 * weights, so they are checked in FLOAT64 with {@link GradCheck}. Layers without a functional form
 * (MultiheadAttention, TransformerEncoderLayer, LSTM, GRU) and the modules themselves are checked in
 * FLOAT32 against central differences of their parameters and inputs, with a wide step and
 * tolerances above float32 rounding (enough to catch a missing or wrong gradient).
 */
public abstract class LayerGradientSuite extends BackendTestBase {

    private static Tensor any(long seed, int... shape) {
        return NnReference.f64(NnReference.random(seed, Reference.numel(shape), -1, 1), shape);
    }

    /** Distinct values 0.1 apart, shuffled: no ties for max pooling, whatever the finite-difference step. */
    private static Tensor distinct(long seed, int... shape) {
        int n = Reference.numel(shape);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(0.1 * i - 0.05 * n);
        }
        java.util.Collections.shuffle(values, new java.util.Random(seed));
        return Tensor.of(values.stream().mapToDouble(Double::doubleValue).toArray(), shape);
    }

    // ------------------------------------------------------------------ functional forms in float64

    @Test
    void linearGradients() {
        GradCheck.assertGradients(in -> Functional.linear(in[0], in[1], in[2]), any(1, 2, 3, 4), any(2, 5, 4), any(3, 5));
        GradCheck.assertGradients(in -> Functional.linear(in[0], in[1], null), any(4, 3, 4), any(5, 2, 4));
    }

    @Test
    void fusedActivationGradients() {
        GradCheck.assertGradients(in -> Dense.linear(in[0], in[1], in[2], FusedActivation.RELU), any(6, 2, 3, 4),
                any(7, 5, 4), any(8, 5));
        GradCheck.assertGradients(in -> Dense.linear(in[0], in[1], null, FusedActivation.RELU), any(9, 3, 4),
                any(10, 2, 4));
        Conv2dGeometry g = Conv2dGeometry.of(3, 1, 1, 1);
        GradCheck.assertGradients(in -> Convolutions.conv2d(in[0], in[1], in[2], g, 1, FusedActivation.RELU),
                any(11, 2, 2, 4, 5), any(12, 3, 2, 3, 3), any(13, 3));
        GradCheck.assertGradients(in -> Convolutions.conv2d(in[0], in[1], null, g, 1, FusedActivation.RELU),
                any(14, 1, 2, 4, 4), any(15, 2, 2, 3, 3));
    }

    @Test
    void conv2dGradientsForEveryGeometry() {
        int[][] cases = { // c, o, k, stride, pad, dilation, groups, bias
                {2, 3, 3, 1, 0, 1, 1, 1},
                {2, 2, 3, 2, 1, 1, 1, 1},
                {2, 2, 2, 1, 2, 2, 1, 0},
                {4, 6, 3, 1, 1, 1, 2, 1},
                {3, 3, 2, 2, 0, 1, 3, 0}};
        long seed = 10;
        for (int[] c : cases) {
            Conv2dGeometry g = Conv2dGeometry.of(c[2], c[3], c[4], c[5]);
            int groups = c[6];
            Tensor x = any(seed++, 2, c[0], 5, 6);
            Tensor w = any(seed++, c[1], c[0] / groups, c[2], c[2]);
            if (c[7] == 1) {
                GradCheck.assertGradients(in -> Convolutions.conv2d(in[0], in[1], in[2], g, groups), x, w, any(seed++, c[1]));
            } else {
                GradCheck.assertGradients(in -> Convolutions.conv2d(in[0], in[1], null, g, groups), x, w);
            }
        }
    }

    @Test
    void conv2dGradientsWithPairs() {
        // c, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, bias: each option differs between height and width somewhere
        int[][] cases = {
                {2, 3, 3, 2, 1, 1, 0, 0, 1, 1, 1, 1},
                {2, 2, 2, 3, 2, 1, 1, 0, 1, 2, 1, 0},
                {4, 2, 1, 3, 1, 2, 0, 2, 2, 1, 2, 1}};
        long seed = 40;
        for (int[] c : cases) {
            Size2d stride = Size2d.of(c[4], c[5]), padding = Size2d.of(c[6], c[7]), dilation = Size2d.of(c[8], c[9]);
            int groups = c[10];
            Tensor x = any(seed++, 2, c[0], 5, 7);
            Tensor w = any(seed++, c[1], c[0] / groups, c[2], c[3]);
            if (c[11] == 1) {
                GradCheck.assertGradients(in -> Functional.conv2d(in[0], in[1], in[2], stride, padding, dilation, groups),
                        x, w, any(seed++, c[1]));
            } else {
                GradCheck.assertGradients(in -> Functional.conv2d(in[0], in[1], null, stride, padding, dilation, groups),
                        x, w);
            }
        }
    }

    @Test
    void poolingGradientsWithPairs() {
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], Size2d.of(2, 3)), distinct(35, 2, 2, 4, 6));
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], Size2d.of(3, 2), Size2d.of(1, 2), Size2d.of(1, 1)),
                distinct(36, 1, 2, 5, 6));
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], Size2d.of(2, 3), Size2d.of(2, 1), Size2d.of(1, 0),
                Size2d.of(2, 1)), distinct(37, 1, 2, 6, 5));
        GradCheck.assertGradients(in -> Functional.avgPool2d(in[0], Size2d.of(2, 3)), any(38, 2, 2, 4, 6));
        GradCheck.assertGradients(in -> Functional.avgPool2d(in[0], Size2d.of(3, 2), Size2d.of(1, 2), Size2d.of(1, 0)),
                any(39, 1, 2, 5, 6));
    }

    @Test
    void conv1dGradients() {
        GradCheck.assertGradients(in -> Functional.conv1d(in[0], in[1], in[2], 2, 1, 1, 1),
                any(20, 2, 3, 7), any(21, 4, 3, 3), any(22, 4));
        GradCheck.assertGradients(in -> Functional.conv1d(in[0], in[1], null, 1, 2, 2, 2),
                any(23, 1, 4, 6), any(24, 2, 2, 3));
    }

    @Test
    void poolingGradients() {
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], 2, 2, 0), distinct(30, 2, 2, 4, 5));
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], 3, 2, 1), distinct(31, 1, 2, 5, 5));
        GradCheck.assertGradients(in -> Functional.avgPool2d(in[0], 3, 2, 1), any(32, 2, 2, 5, 4));
        GradCheck.assertGradients(in -> Functional.adaptiveAvgPool2d(in[0], 2, 2), any(33, 1, 2, 4, 6));
        GradCheck.assertGradients(in -> Functional.adaptiveAvgPool2d(in[0], 3, 2), any(34, 2, 1, 5, 7));
    }

    @Test
    void poolingGradientsWithCeilModeAndCountIncludePad() {
        // clipped last windows (5x5, k=2, s=2 -> 3x3; 6x7, k=3, s=2, p=1 -> 4x4) and a divisor that varies per window
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], Size2d.of(2), null, Size2d.of(0), Size2d.of(1),
                true), distinct(50, 2, 2, 5, 5));
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], Size2d.of(3), Size2d.of(2), Size2d.of(1),
                Size2d.of(1), true), distinct(51, 1, 2, 6, 7));
        GradCheck.assertGradients(in -> Functional.maxPool2d(in[0], Size2d.of(2, 3), Size2d.of(3, 2), Size2d.of(1),
                Size2d.of(2, 1), true), distinct(52, 1, 2, 9, 6));
        for (boolean include : new boolean[]{true, false}) {
            GradCheck.assertGradients(in -> Functional.avgPool2d(in[0], Size2d.of(2), null, Size2d.of(0), true, include),
                    any(53, 2, 2, 5, 5));
            GradCheck.assertGradients(in -> Functional.avgPool2d(in[0], Size2d.of(3), Size2d.of(2), Size2d.of(1), true,
                    include), any(54, 1, 2, 6, 7));
            GradCheck.assertGradients(in -> Functional.avgPool2d(in[0], Size2d.of(3, 2), Size2d.of(2, 3),
                    Size2d.of(1, 1), false, include), any(55, 2, 1, 5, 7));
        }
    }

    @Test
    void ceilModeMaxPoolHasSecondDerivatives() {
        // as maxPoolHasSecondDerivatives, with clipped last windows: 7x6, k=2, s=2 -> 4x3; k=3, s=2, p=1 -> 4x4
        int[][] cases = {{2, 2, 0}, {3, 2, 1}};
        for (int[] cs : cases) {
            double[] x = distinct(60 + cs[0], 2, 3, 7, 6).toDoubleArray();
            Tensor xt = Tensor.of(x, 2, 3, 7, 6).requiresGrad(true);
            Tensor pooled = Functional.maxPool2d(xt, Size2d.of(cs[0]), Size2d.of(cs[1]), Size2d.of(cs[2]), Size2d.of(1),
                    true);
            assertTrue(pooled.numel() > Functional.maxPool2d(xt, cs[0], cs[1], cs[2]).numel(), "a window is clipped");
            int outs = (int) pooled.numel();
            Tensor v = Tensor.of(new Random(61).doubles(outs, -1, 1).toArray(), pooled.shape()).requiresGrad(true);
            double[] u = new Random(62).doubles(x.length, -1, 1).toArray();
            pooled.mul(v).sum().backward(null, true, true);
            Tensor gx = xt.grad();
            assertValuesWithin(gx, 1e-9, 1e-9, maxPoolGradient(x, 2, 3, 7, 6, cs[0], cs[1], cs[2], true,
                    v.toDoubleArray()));
            v.setGrad(null);
            gx.mul(Tensor.of(u, 2, 3, 7, 6)).sum().backward();
            double[] expected = new double[outs];
            for (int o = 0; o < outs; o++) {
                double[] unit = new double[outs];
                unit[o] = 1;
                double[] scattered = maxPoolGradient(x, 2, 3, 7, 6, cs[0], cs[1], cs[2], true, unit);
                for (int i = 0; i < x.length; i++) {
                    expected[o] += scattered[i] * u[i];
                }
            }
            assertValuesWithin(v.grad(), 1e-9, 1e-9, expected);
        }
    }

    private static double[] maxPoolGradient(double[] x, int n, int c, int h, int w, int k, int stride, int pad, double[] weights) {
        return maxPoolGradient(x, n, c, h, w, k, stride, pad, false, weights);
    }

    /** Gradient of sum(w * maxPool(x)): each window sends its weight to the first (row-major) position of its maximum. */
    private static double[] maxPoolGradient(double[] x, int n, int c, int h, int w, int k, int stride, int pad,
                                            boolean ceilMode, double[] weights) {
        int oh = NnReference.poolOutSize(h, k, stride, pad, 1, ceilMode);
        int ow = NnReference.poolOutSize(w, k, stride, pad, 1, ceilMode);
        double[] g = new double[x.length];
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int best = -1;
                    for (int ki = 0; ki < k; ki++) {
                        for (int kj = 0; kj < k; kj++) {
                            int yi = i * stride - pad + ki, xj = j * stride - pad + kj;
                            if (yi >= 0 && yi < h && xj >= 0 && xj < w) {
                                int idx = (p * h + yi) * w + xj;
                                if (best < 0 || x[idx] > x[best]) {
                                    best = idx;
                                }
                            }
                        }
                    }
                    g[best] += weights[(p * oh + i) * ow + j];
                }
            }
        }
        return g;
    }

    @Test
    void maxPoolHasSecondDerivatives() {
        // loss2 = sum(u * d/dx sum(v * maxPool(x))) = sum over windows of v * u[first maximum]: d loss2 / dv = u there
        int[][] cases = {{2, 2, 0}, {3, 2, 1}};
        for (int[] cs : cases) {
            double[] x = distinct(40 + cs[0], 2, 3, 6, 5).toDoubleArray();
            Tensor xt = Tensor.of(x, 2, 3, 6, 5).requiresGrad(true);
            Tensor pooled = Functional.maxPool2d(xt, cs[0], cs[1], cs[2]);
            int outs = (int) pooled.numel();
            Tensor v = Tensor.of(new Random(41).doubles(outs, -1, 1).toArray(), pooled.shape()).requiresGrad(true);
            double[] u = new Random(42).doubles(x.length, -1, 1).toArray();
            pooled.mul(v).sum().backward(null, true, true);
            Tensor gx = xt.grad();
            assertTrue(gx.requiresGrad(), "with createGraph the gradient through max pooling is differentiable");
            v.setGrad(null); // drop the first backward's d/dv (the pooled values)
            gx.mul(Tensor.of(u, 2, 3, 6, 5)).sum().backward();
            double[] expected = new double[outs];
            for (int o = 0; o < outs; o++) {
                double[] unit = new double[outs];
                unit[o] = 1;
                double[] scattered = maxPoolGradient(x, 2, 3, 6, 5, cs[0], cs[1], cs[2], unit);
                for (int i = 0; i < x.length; i++) {
                    expected[o] += scattered[i] * u[i];
                }
            }
            assertValuesWithin(v.grad(), 1e-9, 1e-9, expected);
        }
    }

    @Test
    void maxPoolGradientGoesToTheFirstMaximumOfEachWindowOnTies() {
        // ties are common: max pooling usually follows a ReLU, whose output is full of zeros
        Tensor zeros = Tensor.zeros(DType.FLOAT64, 1, 1, 3, 3).requiresGrad(true);
        Functional.maxPool2d(zeros, 2, 1, 0).sum().backward();
        assertValues(zeros.grad(), 1, 1, 0, 1, 1, 0, 0, 0, 0);
        Tensor partial = Tensor.of(new double[]{1, 1, 0, 1}, 1, 1, 2, 2).requiresGrad(true);
        Functional.maxPool2d(partial, 2, 2, 0).sum().backward();
        assertValues(partial.grad(), 1, 0, 0, 0);
        int[][] cases = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {2, 1, 0}}; // kernel, stride, padding
        long seed = 35;
        for (int[] cs : cases) {
            double[] x = NnReference.random(seed++, 2 * 3 * 6 * 5, -1, 1);
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.max(0, Math.round(x[i] * 2) / 2.0); // ReLU of a coarse grid: many exact ties
            }
            for (DType dtype : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                Tensor xt = NnReference.f64(x, 2, 3, 6, 5).to(dtype).requiresGrad(true);
                Tensor y = Functional.maxPool2d(xt, cs[0], cs[1], cs[2]);
                double[] weights = NnReference.random(seed++, y.numel(), 0.5, 1.5);
                y.mul(NnReference.f64(weights, y.shape()).to(dtype)).sum().backward();
                assertValuesWithin(xt.grad(), 1e-6, 1e-6, maxPoolGradient(x, 2, 3, 6, 5, cs[0], cs[1], cs[2], weights));
            }
        }
    }

    /** Gradients of sum(w * conv2d(x, weight, bias)) with respect to x, weight and bias, computed in {@code dtype}. */
    private static double[][] convGradients(DType dtype, double[] x, int[] xs, double[] w, int[] ws, double[] b,
                                            Conv2dGeometry g, int groups, long seed) {
        Tensor xt = NnReference.f64(x, xs).to(dtype).requiresGrad(true);
        Tensor wt = NnReference.f64(w, ws).to(dtype).requiresGrad(true);
        Tensor bt = NnReference.f64(b, ws[0]).to(dtype).requiresGrad(true);
        Tensor y = Convolutions.conv2d(xt, wt, bt, g, groups);
        y.mul(NnReference.f64(NnReference.random(seed, y.numel(), 0.5, 1.5), y.shape()).to(dtype)).sum().backward();
        return new double[][]{xt.grad().toDoubleArray(), wt.grad().toDoubleArray(), bt.grad().toDoubleArray(),
                y.toDoubleArray()};
    }

    @Test
    void float32ConvolutionGradientsAgreeWithFloat64() {
        // FLOAT32 may take a backend's fast path, FLOAT64 the default (checked above against finite differences).
        int[][] cases = { // n, c, h, w, o, k, stride, pad, dilation, groups
                {2, 3, 9, 8, 4, 3, 1, 1, 1, 1},
                {2, 4, 10, 9, 6, 3, 2, 1, 1, 2},
                {1, 2, 11, 10, 3, 3, 1, 2, 2, 1},
                {3, 6, 7, 7, 6, 3, 1, 1, 1, 6},
                {2, 8, 12, 12, 16, 3, 1, 1, 1, 1},
                {2, 3, 8, 8, 5, 1, 1, 0, 1, 1},
                {1, 4, 9, 11, 4, 5, 3, 2, 1, 2},
                {4, 32, 14, 14, 64, 3, 1, 1, 1, 1}}; // the second convolution of the Fashion-MNIST CNN
        long seed = 200;
        for (int[] c : cases) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            int[] ws = {c[4], c[1] / c[9], c[5], c[5]};
            double[] x = NnReference.random(seed++, Reference.numel(xs), -1, 1);
            double[] w = NnReference.random(seed++, Reference.numel(ws), -0.5, 0.5);
            double[] b = NnReference.random(seed++, c[4], -0.5, 0.5);
            Conv2dGeometry g = Conv2dGeometry.of(c[5], c[6], c[7], c[8]);
            double[][] g64 = convGradients(DType.FLOAT64, x, xs, w, ws, b, g, c[9], seed);
            double[][] g32 = convGradients(DType.FLOAT32, x, xs, w, ws, b, g, c[9], seed++);
            String[] what = {"input gradient", "weight gradient", "bias gradient", "output"};
            for (int i = 0; i < 4; i++) {
                assertClose(g64[i], g32[i], 1e-4, 1e-4, what[i] + " of case " + java.util.Arrays.toString(c));
            }
        }
    }

    @Test
    void batchNormGradientsInTrainingAndEval() {
        GradCheck.assertGradients(in -> Functional.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
                any(40, 4, 3), any(41, 3), any(42, 3));
        GradCheck.assertGradients(in -> Functional.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5),
                any(43, 2, 3, 2, 2), any(44, 3), any(45, 3));
        Tensor runningVar = NnReference.f64(NnReference.random(46, 3, 0.5, 2), 3);
        GradCheck.assertGradients(in -> Functional.batchNorm(in[0], in[3], in[4], in[1], in[2], false, 0.1, 1e-5),
                any(47, 2, 3, 2), any(48, 3), any(49, 3), any(50, 3), runningVar);
    }

    @Test
    void layerNormGradients() {
        GradCheck.assertGradients(in -> Functional.layerNorm(in[0], new int[]{5}, in[1], in[2], 1e-5), any(60, 3, 5), any(61, 5),
                any(62, 5));
        GradCheck.assertGradients(in -> Functional.layerNorm(in[0], new int[]{3, 4}, in[1], in[2], 1e-5), any(63, 2, 3, 4),
                any(64, 3, 4), any(65, 3, 4));
    }

    @Test
    void embeddingGradientAccumulatesRepeatedRows() {
        Tensor idx = Tensor.of(new long[]{1, 3, 1, 0, 1, 3}, 2, 3);
        GradCheck.assertGradients(in -> Functional.embedding(in[1], in[0]), any(70, 4, 3), idx);
        Tensor w = Tensor.zeros(DType.FLOAT64, 4, 2).requiresGrad(true);
        Functional.embedding(idx, w).sum().backward();
        assertValues(w.grad(), 1, 1, 3, 3, 0, 0, 2, 2);
    }

    @Test
    void attentionGradients() {
        boolean[] allowed = {true, false, true, true, true, false, true, true, true, false, false, true};
        Tensor mask = Tensor.of(allowed, 3, 4);
        GradCheck.assertGradients(in -> Functional.scaledDotProductAttention(in[0], in[1], in[2], null, false, 0, false),
                any(80, 2, 3, 4), any(81, 2, 5, 4), any(82, 2, 5, 3));
        GradCheck.assertGradients(in -> Functional.scaledDotProductAttention(in[0], in[1], in[2], null, true, 0, false),
                any(83, 2, 4, 4), any(84, 2, 4, 4), any(85, 2, 4, 3));
        GradCheck.assertGradients(in -> Functional.scaledDotProductAttention(in[0], in[1], in[2], mask, false, 0, false),
                any(86, 2, 3, 4), any(87, 2, 4, 4), any(88, 2, 4, 3));
    }

    // ------------------------------------------------------------------ modules in float32

    private static final double STEP = 1e-2;
    private static final double ATOL = 2e-3;
    private static final double RTOL = 2e-2;

    /**
     * Checks the gradients of {@code sum(w * forward(inputs))} with respect to every parameter of
     * {@code module} and every input against central differences computed in double from float32
     * evaluations.
     */
    static void assertModuleGradients(Module module, Function<Tensor[], Tensor> forward, Tensor... inputs) {
        float[][] in = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = inputs[i].toFloatArray();
        }
        Tensor[] leaves = build(inputs, in);
        for (Tensor leaf : leaves) {
            leaf.requiresGrad(true);
        }
        module.zeroGrad();
        Tensor out = forward.apply(leaves);
        double[] w = NnReference.random(99, out.numel(), 0.5, 1.5);
        out.mul(NnReference.f32(w, out.shape())).sum().backward();

        for (var e : module.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            float[] values = p.toFloatArray();
            double[] analytic = p.grad() == null ? new double[values.length] : p.grad().toDoubleArray();
            for (int j = 0; j < values.length; j++) {
                float saved = values[j];
                float plus = (float) (saved + STEP);
                float minus = (float) (saved - STEP);
                values[j] = plus;
                set(p, values);
                double lp = loss(forward, inputs, in, w);
                values[j] = minus;
                set(p, values);
                double lm = loss(forward, inputs, in, w);
                values[j] = saved;
                set(p, values);
                compare("parameter " + e.getKey(), j, analytic[j], (lp - lm) / ((double) plus - minus));
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            double[] analytic = leaves[i].grad() == null ? new double[in[i].length] : leaves[i].grad().toDoubleArray();
            for (int j = 0; j < in[i].length; j++) {
                float saved = in[i][j];
                float plus = (float) (saved + STEP);
                float minus = (float) (saved - STEP);
                in[i][j] = plus;
                double lp = loss(forward, inputs, in, w);
                in[i][j] = minus;
                double lm = loss(forward, inputs, in, w);
                in[i][j] = saved;
                compare("input " + i, j, analytic[j], (lp - lm) / ((double) plus - minus));
            }
        }
    }

    private static void compare(String what, int index, double analytic, double numeric) {
        if (!(Math.abs(analytic - numeric) <= ATOL + RTOL * Math.abs(numeric))) {
            fail(String.format(Locale.ROOT, "gradient of %s at flat index %d: autograd %.6g, finite differences %.6g",
                    what, index, analytic, numeric));
        }
    }

    private static Tensor[] build(Tensor[] shapes, float[][] values) {
        Tensor[] t = new Tensor[shapes.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = Tensor.of(values[i].clone(), shapes[i].shape());
        }
        return t;
    }

    private static void set(Tensor p, float[] values) {
        try (var off = GradMode.noGrad()) {
            p.copyFrom(Tensor.of(values, p.shape()));
        }
    }

    private static double loss(Function<Tensor[], Tensor> forward, Tensor[] shapes, float[][] values, double[] w) {
        try (var off = GradMode.noGrad()) {
            double[] y = forward.apply(build(shapes, values)).toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += y[i] * w[i];
            }
            return s;
        }
    }

    private static Tensor input(long seed, int... shape) {
        return NnReference.f32(NnReference.random(seed, Reference.numel(shape), -1, 1), shape);
    }

    @Test
    void linearAndConvModuleGradientsReachTheirParameters() {
        Linear linear = new Linear(3, 2);
        assertModuleGradients(linear, in -> linear.forward(in[0]), input(100, 4, 3));
        Conv2d conv = new Conv2d(4, 2, 3, 2, 1, 1, 2, true);
        assertModuleGradients(conv, in -> conv.forward(in[0]), input(101, 1, 4, 5, 5));
    }

    @Test
    void normalizationModuleGradients() {
        BatchNorm2d bn = new BatchNorm2d(2);
        NnReference.randomizeParameters(bn, 102, 1);
        assertModuleGradients(bn, in -> bn.forward(in[0]), input(103, 3, 2, 2, 2));
        LayerNorm ln = new LayerNorm(4);
        NnReference.randomizeParameters(ln, 104, 1);
        assertModuleGradients(ln, in -> ln.forward(in[0]), input(105, 3, 4));
    }

    @Test
    void multiheadAttentionGradients() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0.0, true, true);
        NnReference.randomizeParameters(mha, 110, 0.6);
        assertModuleGradients(mha, in -> mha.forward(in[0], in[1], in[2], null, false),
                input(111, 2, 3, 4), input(112, 2, 4, 4), input(113, 2, 4, 4));
        assertModuleGradients(mha, in -> mha.forward(in[0], in[0], in[0], null, true), input(114, 2, 3, 4));
        Tensor mask = Tensor.of(new boolean[]{false, true, false, false, false, true, true, false, false}, 3, 3);
        assertModuleGradients(mha, in -> mha.forward(in[0], in[0], in[0], mask, false), input(115, 1, 3, 4));
    }

    @Test
    void transformerEncoderLayerGradients() {
        for (boolean normFirst : new boolean[]{false, true}) {
            TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0, Activation.gelu(), true, normFirst,
                    true);
            NnReference.randomizeParameters(layer, 120, 0.6);
            assertModuleGradients(layer, in -> layer.forward(in[0]), input(121, 2, 3, 4));
        }
    }

    @Test
    void lstmGradientsThroughTimeAndLayers() {
        LSTM lstm = new LSTM(2, 3, 2, true, false);
        NnReference.randomizeParameters(lstm, 130, 0.6);
        assertModuleGradients(lstm, in -> {
            LSTM.Output o = lstm.forward(in[0], in[1], in[2]);
            return Tensor.cat(0, o.output().reshape(-1), o.hidden().reshape(-1), o.cell().reshape(-1));
        }, input(131, 3, 2, 2), input(132, 2, 2, 3), input(133, 2, 2, 3));
    }

    @Test
    void bidirectionalLstmGradients() {
        LSTM lstm = new LSTM(2, 3, 2, true, true, 0, true);
        NnReference.randomizeParameters(lstm, 134, 0.6);
        assertModuleGradients(lstm, in -> {
            LSTM.Output o = lstm.forward(in[0], in[1], in[2]);
            return Tensor.cat(0, o.output().reshape(-1), o.hidden().reshape(-1), o.cell().reshape(-1));
        }, input(135, 2, 3, 2), input(136, 4, 2, 3), input(137, 4, 2, 3));
    }

    @Test
    void gruGradients() {
        GRU gru = new GRU(2, 3, 2, true, false, 0, true);
        NnReference.randomizeParameters(gru, 150, 0.6);
        assertModuleGradients(gru, in -> {
            GRU.Output o = gru.forward(in[0], in[1]);
            return Tensor.cat(0, o.output().reshape(-1), o.hidden().reshape(-1));
        }, input(151, 3, 2, 2), input(152, 4, 2, 3));
        GRU noBias = new GRU(3, 2, 1, false, true);
        NnReference.randomizeParameters(noBias, 153, 0.6);
        assertModuleGradients(noBias, in -> noBias.forward(in[0]), input(154, 2, 4, 3));
    }

    @Test
    void theModuleCheckCanFail() {
        // A forward whose parameter gradient is cut must be caught by the checker itself.
        Linear linear = new Linear(2, 2);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> assertModuleGradients(linear, in -> Functional.linear(in[0], linear.weight().detach(), linear.bias()),
                        input(140, 3, 2)));
        assertTrue(e.getMessage().contains("weight"), e.getMessage());
    }
}
