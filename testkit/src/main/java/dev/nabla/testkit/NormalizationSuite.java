package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Gradients;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Normalization;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Functional;
import dev.nabla.nn.LayerNorm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.nabla.testkit.NnReference.LAYER_ATOL;
import static dev.nabla.testkit.NnReference.LAYER_RTOL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNorm1d/2d (batch statistics in training, running statistics with momentum and the unbiased
 * variance, eval mode, num_batches_tracked), LayerNorm and Dropout, against naive loops.
 */
public abstract class NormalizationSuite extends BackendTestBase {
    private static final double EPS = 1e-5;

    /** Per-channel batch mean and biased variance of x [n, c, spatial]. */
    private static double[][] stats(double[] x, int n, int c, int spatial) {
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double[] s = NnReference.channelStats(x, n, c, spatial, ch);
            mean[ch] = s[0];
            var[ch] = s[1];
        }
        return new double[][]{mean, var};
    }

    @Test
    void batchNorm1dTrainingUsesBatchStatisticsAndUpdatesRunningOnes() {
        BatchNorm1d bn = new BatchNorm1d(3);
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.namedBuffers().keySet()));
        assertValues(bn.buffer("running_mean"), 0, 0, 0);
        assertValues(bn.buffer("running_var"), 1, 1, 1);
        assertDType(DType.INT64, bn.buffer("num_batches_tracked"));
        Map<String, double[]> p = NnReference.randomizeParameters(bn, 1, 1);
        double[] x = NnReference.random(2, 4 * 3, -2, 3);
        Tensor y = bn.forward(NnReference.f32(x, 4, 3));
        double[][] s = stats(x, 4, 3, 1);
        assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL,
                NnReference.normalizeChannels(x, 4, 3, 1, s[0], s[1], p.get("weight"), p.get("bias"), EPS));
        double[] rm = new double[3];
        double[] rv = new double[3];
        for (int c = 0; c < 3; c++) {
            rm[c] = 0.9 * 0 + 0.1 * s[0][c];
            rv[c] = 0.9 * 1 + 0.1 * s[1][c] * 4 / 3; // unbiased variance: n / (n - 1)
        }
        assertValuesWithin(bn.buffer("running_mean"), LAYER_RTOL, LAYER_ATOL, rm);
        assertValuesWithin(bn.buffer("running_var"), LAYER_RTOL, LAYER_ATOL, rv);
        assertLongs(bn.buffer("num_batches_tracked"), 1);

        // a second batch moves the running statistics again from where they are
        double[] x2 = NnReference.random(3, 4 * 3, -1, 1);
        bn.forward(NnReference.f32(x2, 4, 3));
        double[][] s2 = stats(x2, 4, 3, 1);
        for (int c = 0; c < 3; c++) {
            rm[c] = 0.9 * rm[c] + 0.1 * s2[0][c];
            rv[c] = 0.9 * rv[c] + 0.1 * s2[1][c] * 4 / 3;
        }
        assertValuesWithin(bn.buffer("running_mean"), LAYER_RTOL, LAYER_ATOL, rm);
        assertValuesWithin(bn.buffer("running_var"), LAYER_RTOL, LAYER_ATOL, rv);
        assertLongs(bn.buffer("num_batches_tracked"), 2);
    }

    @Test
    void batchNorm1dOnSequencesNormalizesOverBatchAndLength() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-3, 0.25, true);
        Map<String, double[]> p = NnReference.randomizeParameters(bn, 4, 1);
        double[] x = NnReference.random(5, 3 * 2 * 5, -1, 2);
        Tensor y = bn.forward(NnReference.f32(x, 3, 2, 5));
        double[][] s = stats(x, 3, 2, 5);
        assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL,
                NnReference.normalizeChannels(x, 3, 2, 5, s[0], s[1], p.get("weight"), p.get("bias"), 1e-3));
        assertValuesWithin(bn.buffer("running_mean"), LAYER_RTOL, LAYER_ATOL, 0.25 * s[0][0], 0.25 * s[0][1]);
        assertValuesWithin(bn.buffer("running_var"), LAYER_RTOL, LAYER_ATOL,
                0.75 + 0.25 * s[1][0] * 15 / 14, 0.75 + 0.25 * s[1][1] * 15 / 14);
    }

    @Test
    void batchNorm2dTrainingAndEval() {
        BatchNorm2d bn = new BatchNorm2d(3, EPS, 0.3, true);
        Map<String, double[]> p = NnReference.randomizeParameters(bn, 6, 1);
        double[] x = NnReference.random(7, 2 * 3 * 4 * 3, -1, 3);
        Tensor y = bn.forward(NnReference.f32(x, 2, 3, 4, 3));
        double[][] s = stats(x, 2, 3, 12);
        assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL,
                NnReference.normalizeChannels(x, 2, 3, 12, s[0], s[1], p.get("weight"), p.get("bias"), EPS));
        double[] rm = new double[3];
        double[] rv = new double[3];
        for (int c = 0; c < 3; c++) {
            rm[c] = 0.3 * s[0][c];
            rv[c] = 0.7 + 0.3 * s[1][c] * 24 / 23;
        }
        assertValuesWithin(bn.buffer("running_mean"), LAYER_RTOL, LAYER_ATOL, rm);
        assertValuesWithin(bn.buffer("running_var"), LAYER_RTOL, LAYER_ATOL, rv);

        // eval: the running statistics normalize, and nothing is updated
        bn.eval();
        double[] x2 = NnReference.random(8, 2 * 3 * 4 * 3, -1, 1);
        Tensor z = bn.forward(NnReference.f32(x2, 2, 3, 4, 3));
        assertValuesWithin(z, LAYER_RTOL, LAYER_ATOL,
                NnReference.normalizeChannels(x2, 2, 3, 12, rm, rv, p.get("weight"), p.get("bias"), EPS));
        assertValuesWithin(bn.buffer("running_mean"), LAYER_RTOL, LAYER_ATOL, rm);
        assertValuesWithin(bn.buffer("running_var"), LAYER_RTOL, LAYER_ATOL, rv);
        assertLongs(bn.buffer("num_batches_tracked"), 1);
        // eval mode also works for a single example
        assertShape(bn.forward(NnReference.f32(NnReference.random(9, 3, 0, 1), 1, 3, 1, 1)), 1, 3, 1, 1);
    }

    @Test
    void batchNormWithoutAffineHasOnlyBuffers() {
        BatchNorm2d bn = new BatchNorm2d(2, EPS, 0.1, false);
        assertTrue(bn.parameters().isEmpty());
        assertNull(bn.parameter("weight"));
        double[] x = NnReference.random(10, 3 * 2 * 2 * 2, -1, 1);
        double[][] s = stats(x, 3, 2, 4);
        assertValuesWithin(bn.forward(NnReference.f32(x, 3, 2, 2, 2)), LAYER_RTOL, LAYER_ATOL,
                NnReference.normalizeChannels(x, 3, 2, 4, s[0], s[1], null, null, EPS));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
    }

    @Test
    void batchNormRejectsOneValuePerChannelInTrainingAndWrongShapes() {
        assertThrows(ShapeException.class, () -> new BatchNorm1d(3).forward(Tensor.ones(1, 3)));
        assertThrows(ShapeException.class, () -> new BatchNorm1d(3).forward(Tensor.ones(4, 2)));
        assertThrows(ShapeException.class, () -> new BatchNorm2d(3).forward(Tensor.ones(4, 3)));
        assertThrows(ShapeException.class, () -> new BatchNorm1d(3).forward(Tensor.ones(2, 3, 2, 2)));
    }

    @Test
    void batchNormGradientsFlowToTheAffineParameters() {
        BatchNorm1d bn = new BatchNorm1d(2);
        double[] x = NnReference.random(11, 4 * 2, -1, 1);
        Tensor y = bn.forward(NnReference.f32(x, 4, 2));
        y.sum().backward();
        // d(sum)/d(bias) = number of rows; d(sum)/d(weight) = sum of normalized values = 0
        assertValues(bn.parameter("bias").grad(), 4, 4);
        assertValuesWithin(bn.parameter("weight").grad(), 0, 1e-5, 0, 0);
    }

    /** The FLOAT32 results (a backend's fused passes) against the same computation in FLOAT64 (core's rules). */
    @Test
    void float32BatchNormMatchesFloat64InBothModes() {
        int[][] shapes = {{6, 3, 5, 7}, {9, 4}, {4, 3, 5}, {2, 2, 1, 1}};
        for (int[] shape : shapes) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            int c = shape[1];
            double[] x = NnReference.random(20 + n, n, 2, 5); // an offset mean: the statistics must not cancel
            double[] up = NnReference.random(21 + n, n, -1, 1);
            double[] w = NnReference.random(22, c, 0.5, 1.5);
            double[] b = NnReference.random(23, c, -1, 1);
            double[] runningVar = NnReference.random(24, c, 0.5, 2);
            for (boolean training : new boolean[]{true, false}) {
                double[][] f32 = batchNormWithGradients(DType.FLOAT32, shape, x, up, w, b, runningVar, training);
                double[][] f64 = batchNormWithGradients(DType.FLOAT64, shape, x, up, w, b, runningVar, training);
                String[] what = {"output", "input gradient", "weight gradient", "bias gradient", "running mean",
                        "running var"};
                for (int i = 0; i < what.length; i++) {
                    assertClose(f64[i], f32[i], 2e-5, 2e-5, what[i] + " of " + java.util.Arrays.toString(shape)
                            + (training ? " in training" : " in eval"));
                }
            }
        }
    }

    /** Output, input/weight/bias gradients for upstream {@code up}, and the running statistics afterwards. */
    private static double[][] batchNormWithGradients(DType dtype, int[] shape, double[] x, double[] up, double[] w,
                                                    double[] b, double[] runningVar, boolean training) {
        int c = shape[1];
        Tensor xt = Tensor.of(x, shape).to(dtype).requiresGrad(true);
        Tensor wt = Tensor.of(w).to(dtype).requiresGrad(true);
        Tensor bt = Tensor.of(b).to(dtype).requiresGrad(true);
        Tensor rm = Tensor.full(dtype, 0.25, c);
        Tensor rv = Tensor.of(runningVar).to(dtype);
        Tensor y = Functional.batchNorm(xt, rm, rv, wt, bt, training, 0.1, EPS);
        y.mul(Tensor.of(up, shape).to(dtype)).sum().backward();
        return new double[][]{y.toDoubleArray(), xt.grad().toDoubleArray(), wt.grad().toDoubleArray(),
                bt.grad().toDoubleArray(), rm.toDoubleArray(), rv.toDoubleArray()};
    }

    @Test
    void batchNormStatisticsStayAccurateFarFromZero() {
        // values 10^4 + U(-1, 1): E[x^2] - E[x]^2 in float would lose every digit of the variance
        float[] x = new float[2 * 3 * 16 * 16];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (1e4 + r.nextDouble(-1, 1));
        }
        double[] asDouble = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            asDouble[i] = x[i];
        }
        Tensor stats = Normalization.batchNormStats(Tensor.of(x, 2, 3, 16, 16));
        assertShape(stats, 2, 3);
        double[][] s = stats(asDouble, 2, 3, 256);
        assertValuesWithin(stats.select(0, 0), 1e-7, 0, s[0]);
        assertValuesWithin(stats.select(0, 1), 1e-4, 0, s[1]);
    }

    /**
     * Second derivatives (createGraph): {@code h(x) = d/dx sum(r * bn(x))} recorded, then {@code d/dx sum(u * h(x))}
     * against central differences of {@code sum(u * h(x))}, h computed by first-order autograd (checked elsewhere).
     */
    @Test
    void batchNormHasSecondDerivativesInTraining() {
        int[] shape = {3, 2, 2, 2};
        double[] x = NnReference.random(30, 24, -1, 1);
        Tensor r = Tensor.of(NnReference.random(31, 24, -1, 1), shape);
        Tensor u = Tensor.of(NnReference.random(32, 24, -1, 1), shape);
        Tensor w = Tensor.of(new double[]{0.7, 1.3});
        Tensor b = Tensor.of(new double[]{0.1, -0.2});
        Tensor xt = Tensor.of(x, shape).requiresGrad(true);
        Tensor h = Gradients.grad(List.of(Functional.batchNorm(xt, null, null, w, b, true, 0.1, EPS).mul(r).sum()),
                List.of(xt), null, Gradients.Options.DEFAULT.withCreateGraph()).get(0);
        assertTrue(h.requiresGrad(), "with createGraph the batch norm's gradient is differentiable");
        double[] analytic = Gradients.grad(List.of(h.mul(u).sum()), List.of(xt)).get(0).toDoubleArray();
        double step = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double[] plus = x.clone();
            double[] minus = x.clone();
            plus[i] += step;
            minus[i] -= step;
            double numeric = (firstDerivativeDot(plus, shape, r, u, w, b) - firstDerivativeDot(minus, shape, r, u, w, b))
                    / (2 * step);
            assertEquals(numeric, analytic[i], 1e-5 + 1e-3 * Math.abs(numeric), "d2/dx2 at " + i);
        }
    }

    private static double firstDerivativeDot(double[] x, int[] shape, Tensor r, Tensor u, Tensor w, Tensor b) {
        Tensor xt = Tensor.of(x, shape).requiresGrad(true);
        Functional.batchNorm(xt, null, null, w, b, true, 0.1, EPS).mul(r).sum().backward();
        return xt.grad().mul(u).sum().item();
    }

    @Test
    void functionalBatchNormChecksItsPerChannelTensors() {
        Tensor x = Tensor.ones(4, 2, 3);
        ShapeException e = assertThrows(ShapeException.class,
                () -> Functional.batchNorm(x, null, null, Tensor.ones(3), null, true, 0.1, EPS));
        assertMessage(e, "batchNorm", "[2]", "[3]");
        assertThrows(ShapeException.class,
                () -> Functional.batchNorm(x, Tensor.zeros(2, 1), Tensor.ones(2), null, null, false, 0.1, EPS));
        assertThrows(IllegalArgumentException.class,
                () -> Functional.batchNorm(x, Tensor.zeros(2), null, null, null, false, 0.1, EPS));
        assertThrows(ShapeException.class, () -> Normalization.batchNormStats(Tensor.ones(3)));
    }

    // ------------------------------------------------------------------ LayerNorm

    @Test
    void layerNormOverTheLastDimension() {
        LayerNorm ln = new LayerNorm(4);
        assertValues(ln.parameter("weight"), 1, 1, 1, 1);
        assertValues(ln.parameter("bias"), 0, 0, 0, 0);
        Map<String, double[]> p = NnReference.randomizeParameters(ln, 12, 1);
        double[] x = NnReference.random(13, 2 * 3 * 4, -2, 2);
        Tensor y = ln.forward(NnReference.f32(x, 2, 3, 4));
        assertShape(y, 2, 3, 4);
        assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL, NnReference.layerNorm(x, 6, 4, p.get("weight"), p.get("bias"), EPS));
    }

    @Test
    void layerNormOverSeveralTrailingDimensions() {
        LayerNorm ln = new LayerNorm(new int[]{3, 4}, 1e-3, true);
        assertShape(ln.parameter("weight"), 3, 4);
        Map<String, double[]> p = NnReference.randomizeParameters(ln, 14, 1);
        double[] x = NnReference.random(15, 2 * 3 * 4, -2, 2);
        assertValuesWithin(ln.forward(NnReference.f32(x, 2, 3, 4)), LAYER_RTOL, LAYER_ATOL,
                NnReference.layerNorm(x, 2, 12, p.get("weight"), p.get("bias"), 1e-3));
        LayerNorm plain = new LayerNorm(new int[]{4}, EPS, false);
        assertTrue(plain.parameters().isEmpty());
        assertValuesWithin(plain.forward(NnReference.f32(x, 6, 4)), LAYER_RTOL, LAYER_ATOL,
                NnReference.layerNorm(x, 6, 4, null, null, EPS));
        assertThrows(ShapeException.class, () -> ln.forward(Tensor.zeros(2, 4, 3)));
    }

    @Test
    void layerNormOfAConstantRowIsTheBias() {
        LayerNorm ln = new LayerNorm(3);
        Tensor y = ln.forward(Tensor.full(7, 2, 3));
        assertValues(y, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void functionalLayerNormTakesTheNormalizedShape() {
        // F.layer_norm(torch.tensor([[1., 2, 3, 4]]), [4], torch.tensor([2., 1, 1, 1]), torch.tensor([0., 0, 0, 1]), 0)
        Tensor x = Tensor.of(new double[]{1, 2, 3, 4}, 1, 4);
        Tensor y = Functional.layerNorm(x, new int[]{4}, Tensor.of(new double[]{2, 1, 1, 1}),
                Tensor.of(new double[]{0, 0, 0, 1}), 0);
        assertValuesWithin(y, 1e-12, 1e-12, -2.6832815729997477, -0.4472135954999579, 0.4472135954999579,
                2.341640786499874);

        double[] v = NnReference.random(70, 2 * 3 * 4, -2, 2);
        double[] w = NnReference.random(71, 12, 0.5, 1.5);
        double[] b = NnReference.random(72, 12, -1, 1);
        Tensor z = Functional.layerNorm(NnReference.f64(v, 2, 3, 4), new int[]{3, 4}, NnReference.f64(w, 3, 4),
                NnReference.f64(b, 3, 4), EPS);
        assertShape(z, 2, 3, 4);
        assertValuesWithin(z, 1e-10, 1e-10, NnReference.layerNorm(v, 2, 12, w, b, EPS));
    }

    @Test
    void layerNormRejectsAWeightOrBiasOfAnotherShapeThanTheNormalizedShape() {
        Tensor x = Tensor.zeros(2, 3, 4);
        int[] normalized = {3, 4};
        Tensor good = Tensor.ones(3, 4);
        // each of these would broadcast against [2, 3, 4] and be silently accepted without the check
        for (Tensor bad : new Tensor[]{Tensor.ones(4), Tensor.ones(1), Tensor.ones(1, 4), Tensor.ones(2, 3, 4)}) {
            ShapeException w = assertThrows(ShapeException.class,
                    () -> Functional.layerNorm(x, normalized, bad, good, EPS));
            assertMessage(w, "layerNorm", "weight", "[3, 4]", java.util.Arrays.toString(bad.shape()));
            ShapeException b = assertThrows(ShapeException.class,
                    () -> Functional.layerNorm(x, normalized, good, bad, EPS));
            assertMessage(b, "layerNorm", "bias", "[3, 4]", java.util.Arrays.toString(bad.shape()));
        }
        ShapeException input = assertThrows(ShapeException.class,
                () -> Functional.layerNorm(x, new int[]{4, 3}, null, null, EPS));
        assertMessage(input, "layerNorm", "[*, 4, 3]", "[2, 3, 4]");
        ShapeException empty = assertThrows(ShapeException.class,
                () -> Functional.layerNorm(x, new int[0], null, null, EPS));
        assertMessage(empty, "layerNorm", "at least one dimension");
        // the module goes through the same checks
        ShapeException module = assertThrows(ShapeException.class, () -> new LayerNorm(3, 4).forward(Tensor.zeros(3)));
        assertMessage(module, "layerNorm", "[*, 3, 4]", "[3]");
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ Dropout

    @Test
    void dropoutIsTheIdentityInEvalMode() {
        Dropout d = new Dropout(0.5);
        d.eval();
        double[] x = NnReference.random(16, 50, -1, 1);
        assertValues(d.forward(NnReference.f32(x, 5, 10)), NnReference.f32(x, 50).toDoubleArray());
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRestByOneOverOneMinusP() {
        Dropout d = new Dropout(0.25);
        assertTrue(d.isTraining());
        Tensor y = d.forward(Tensor.full(3.0, 100, 100));
        int zeros = 0;
        for (double v : y.toDoubleArray()) {
            if (v == 0) {
                zeros++;
            } else {
                assertEquals(4.0, v, 1e-6, "kept values are scaled by 1 / (1 - p)");
            }
        }
        assertTrue(zeros > 2300 && zeros < 2700, "about a quarter of 10,000 zeroed, found " + zeros);
    }

    @Test
    void dropoutWithPZeroOrOne() {
        double[] x = NnReference.random(17, 40, -1, 1);
        assertValues(new Dropout(0).forward(NnReference.f32(x, 40)), NnReference.f32(x, 40).toDoubleArray());
        Tensor all = new Dropout(1).forward(NnReference.f32(x, 40));
        assertValues(all, new double[40]);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    }

    @Test
    void dropoutMasksAreReproducibleFromTheGlobalSeed() {
        Dropout d = new Dropout(0.5);
        Nabla.manualSeed(77);
        double[] a = d.forward(Tensor.ones(200)).toDoubleArray();
        double[] b = d.forward(Tensor.ones(200)).toDoubleArray();
        Nabla.manualSeed(77);
        double[] c = d.forward(Tensor.ones(200)).toDoubleArray();
        assertArrayEquals(a, c);
        assertFalse(java.util.Arrays.equals(a, b), "consecutive calls draw different masks");
    }

    @Test
    void dropoutGradientIsTheScaledMask() {
        Dropout d = new Dropout(0.4);
        Tensor x = Tensor.of(NnReference.random(18, 100, 1, 2)).to(DType.FLOAT32).requiresGrad(true);
        Tensor y = d.forward(x);
        y.sum().backward();
        double[] xv = x.toDoubleArray();
        double[] yv = y.toDoubleArray();
        double[] expected = new double[100];
        for (int i = 0; i < 100; i++) {
            expected[i] = yv[i] == 0 ? 0 : 1 / 0.6;
            assertEquals(yv[i] == 0 ? 0 : xv[i] / 0.6, yv[i], 1e-5);
        }
        assertValuesWithin(x.grad(), 1e-6, 1e-6, expected);
        try (var off = GradMode.noGrad()) {
            assertShape(d.forward(x), 100);
        }
    }
}
