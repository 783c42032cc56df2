package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Activation;
import dev.nabla.nn.AdaptiveAvgPool2d;
import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.Conv1d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.ModuleList;
import dev.nabla.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import static dev.nabla.testkit.NnReference.LAYER_ATOL;
import static dev.nabla.testkit.NnReference.LAYER_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values of the stateless and convolutional layers (Linear, Conv1d/2d, pooling, Embedding, Flatten,
 * Identity, Sequential, ModuleList, activations, initializers) against naive double loops, with
 * weights set to known values. Normalization and dropout are in {@link NormalizationSuite},
 * attention in {@link AttentionSuite}, LSTM in {@link RecurrentSuite}, gradients in
 * {@link LayerGradientSuite}.
 */
public abstract class LayerSuite extends BackendTestBase {

    private static void assertLayer(Tensor actual, double[] expected) {
        assertValuesWithin(actual, LAYER_RTOL, LAYER_ATOL, expected);
    }

    // ------------------------------------------------------------------ Linear

    @Test
    void linearComputesXWtPlusB() {
        Linear layer = new Linear(3, 2);
        try (var off = GradMode.noGrad()) {
            layer.weight().copyFrom(Tensor.of(new float[]{1, 2, 3, -1, 0.5f, 2}, 2, 3));
            layer.bias().copyFrom(Tensor.of(new float[]{0.5f, -1}));
        }
        Tensor y = layer.forward(Tensor.of(new float[]{1, 0, -1, 2, 1, 0.5f}, 2, 3));
        assertShape(y, 2, 2);
        // row 0: [1 + 0 - 3 + 0.5, -1 + 0 - 2 - 1]; row 1: [2 + 2 + 1.5 + 0.5, -2 + 0.5 + 1 - 1]
        assertValues(y, -1.5, -4, 6, -1.5);
    }

    @Test
    void linearAppliesToTheLastDimensionOfAnyRank() {
        Linear layer = new Linear(4, 3);
        Map<String, double[]> p = NnReference.randomizeParameters(layer, 1, 1);
        double[] x = NnReference.random(2, 2 * 5 * 4, -1, 1);
        Tensor y = layer.forward(NnReference.f32(x, 2, 5, 4));
        assertShape(y, 2, 5, 3);
        assertLayer(y, NnReference.linear(x, 10, 4, p.get("weight"), p.get("bias"), 3));
    }

    @Test
    void linearWithoutBiasHasNoBiasParameter() {
        Linear layer = new Linear(3, 2, false);
        assertNull(layer.bias());
        assertEquals(List.of("weight"), List.copyOf(layer.namedParameters().keySet()));
        Map<String, double[]> p = NnReference.randomizeParameters(layer, 3, 1);
        double[] x = NnReference.random(4, 6, -1, 1);
        assertLayer(layer.forward(NnReference.f32(x, 2, 3)), NnReference.linear(x, 2, 3, p.get("weight"), null, 2));
    }

    @Test
    void linearRejectsAWrongInputWidth() {
        ShapeException e = assertThrows(ShapeException.class, () -> new Linear(3, 2).forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    @Test
    void linearDefaultInitIsUniformWithinOneOverSqrtFanIn() {
        Linear layer = new Linear(100, 50);
        double bound = 1 / Math.sqrt(100);
        double[] w = layer.weight().toDoubleArray();
        double max = 0;
        double sumSq = 0;
        for (double v : w) {
            assertTrue(Math.abs(v) <= bound, () -> "weight " + v + " beyond the bound " + bound);
            max = Math.max(max, Math.abs(v));
            sumSq += v * v;
        }
        assertTrue(max > 0.98 * bound, "5000 uniform draws reach close to the bound, max was " + max);
        // U(-b, b) has variance b^2 / 3
        assertEquals(bound * bound / 3, sumSq / w.length, 0.1 * bound * bound / 3);
        for (double v : layer.bias().toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void initializationIsReproducibleFromTheGlobalSeed() {
        Nabla.manualSeed(99);
        double[] a = new Linear(5, 4).weight().toDoubleArray();
        Nabla.manualSeed(99);
        double[] b = new Linear(5, 4).weight().toDoubleArray();
        double[] c = new Linear(5, 4).weight().toDoubleArray();
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        assertTrue(!java.util.Arrays.equals(a, c), "a second layer draws new values");
    }

    // ------------------------------------------------------------------ convolutions

    private record ConvCase(int n, int c, int h, int w, int o, int k, int stride, int pad, int dilation, int groups,
                            boolean bias) {
    }

    @Test
    void conv2dMatchesTheNaiveLoopForEveryGeometry() {
        List<ConvCase> cases = List.of(
                new ConvCase(2, 3, 5, 6, 4, 3, 1, 0, 1, 1, true),
                new ConvCase(2, 3, 7, 6, 2, 3, 2, 1, 1, 1, true),
                new ConvCase(1, 2, 8, 7, 3, 3, 1, 2, 2, 1, true),
                new ConvCase(2, 4, 5, 5, 6, 3, 1, 1, 1, 2, true),
                new ConvCase(1, 4, 6, 6, 4, 2, 2, 0, 1, 4, false),
                new ConvCase(2, 2, 4, 5, 3, 1, 1, 0, 1, 1, false),
                new ConvCase(1, 6, 9, 8, 3, 3, 3, 2, 2, 3, true));
        long seed = 10;
        for (ConvCase cc : cases) {
            Conv2d conv = new Conv2d(cc.c, cc.o, cc.k, cc.stride, cc.pad, cc.dilation, cc.groups, cc.bias);
            assertShape(conv.weight(), cc.o, cc.c / cc.groups, cc.k, cc.k);
            if (!cc.bias) {
                assertNull(conv.bias());
            }
            Map<String, double[]> p = NnReference.randomizeParameters(conv, seed++, 0.5);
            double[] x = NnReference.random(seed++, cc.n * cc.c * cc.h * cc.w, -1, 1);
            Tensor y = conv.forward(NnReference.f32(x, cc.n, cc.c, cc.h, cc.w));
            int oh = NnReference.outSize(cc.h, cc.k, cc.stride, cc.pad, cc.dilation);
            int ow = NnReference.outSize(cc.w, cc.k, cc.stride, cc.pad, cc.dilation);
            assertShape(y, cc.n, cc.o, oh, ow);
            assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL, NnReference.conv2d(x, cc.n, cc.c, cc.h, cc.w, p.get("weight"),
                    cc.o, cc.k, cc.k, p.get("bias"), cc.stride, cc.pad, cc.dilation, cc.groups));
        }
    }

    @Test
    void conv2dHandComputed() {
        Conv2d conv = new Conv2d(1, 1, 2);
        try (var off = GradMode.noGrad()) {
            conv.weight().copyFrom(Tensor.of(new float[]{1, 0, 0, -1}, 1, 1, 2, 2));
            conv.bias().copyFrom(Tensor.of(new float[]{10}));
        }
        // x[i][j] = 3i + j on 3x3: each output is x[i][j] - x[i+1][j+1] + 10 = -4 + 10
        Tensor y = conv.forward(iota(1, 1, 3, 3));
        assertShape(y, 1, 1, 2, 2);
        assertValues(y, 6, 6, 6, 6);
    }

    @Test
    void conv1dMatchesTheNaiveLoop() {
        // [N, C, L] is conv2d on [N, C, 1, L] with a 1 x k kernel: reuse the 2-D loop with h = 1 and no vertical padding.
        int[][] cases = { // n, c, l, o, k, stride, pad, dilation, groups, bias
                {2, 3, 10, 4, 3, 1, 0, 1, 1, 1},
                {2, 4, 11, 2, 3, 2, 1, 1, 2, 1},
                {1, 2, 12, 4, 3, 1, 2, 3, 1, 0},
                {3, 6, 9, 6, 2, 3, 1, 1, 6, 1}};
        long seed = 30;
        for (int[] cc : cases) {
            int n = cc[0], c = cc[1], l = cc[2], o = cc[3], k = cc[4], stride = cc[5], pad = cc[6], dil = cc[7], groups = cc[8];
            Conv1d conv = new Conv1d(c, o, k, stride, pad, dil, groups, cc[9] == 1);
            Map<String, double[]> p = NnReference.randomizeParameters(conv, seed++, 0.5);
            double[] x = NnReference.random(seed++, n * c * l, -1, 1);
            Tensor y = conv.forward(NnReference.f32(x, n, c, l));
            int ol = NnReference.outSize(l, k, stride, pad, dil);
            assertShape(y, n, o, ol);
            assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL, conv1d(x, n, c, l, p.get("weight"), o, k, p.get("bias"), stride,
                    pad, dil, groups));
        }
    }

    private static double[] conv1d(double[] x, int n, int c, int l, double[] w, int o, int k, double[] b, int stride,
                                   int pad, int dil, int groups) {
        int ol = NnReference.outSize(l, k, stride, pad, dil);
        int cg = c / groups, og = o / groups;
        double[] y = new double[n * o * ol];
        for (int bi = 0; bi < n; bi++) {
            for (int oc = 0; oc < o; oc++) {
                for (int t = 0; t < ol; t++) {
                    double s = b == null ? 0 : b[oc];
                    for (int ic = 0; ic < cg; ic++) {
                        for (int kk = 0; kk < k; kk++) {
                            int pos = t * stride - pad + kk * dil;
                            if (pos >= 0 && pos < l) {
                                s += x[(bi * c + (oc / og) * cg + ic) * l + pos] * w[(oc * cg + ic) * k + kk];
                            }
                        }
                    }
                    y[(bi * o + oc) * ol + t] = s;
                }
            }
        }
        return y;
    }

    @Test
    void convDefaultInitBoundsFollowFanIn() {
        Conv2d conv = new Conv2d(4, 8, 3, 1, 1, 1, 2, true); // fan in = 4/2 * 9 = 18
        double bound = 1 / Math.sqrt(18);
        for (double v : conv.weight().toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound, "weight " + v);
        }
        for (double v : conv.bias().toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound, "bias " + v);
        }
    }

    @Test
    void convRejectsChannelsNotDivisibleByGroups() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 1, 0, 1, 2, true));
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(4, 3, 3, 1, 0, 1, 2, true));
        assertThrows(ShapeException.class, () -> new Conv2d(3, 4, 3).forward(Tensor.zeros(1, 2, 5, 5)));
    }

    // ------------------------------------------------------------------ pooling

    @Test
    void maxPool2dHandComputed() {
        // 4x4 input 0..15, 2x2 windows with stride 2: maxima are the bottom-right corners
        Tensor y = new MaxPool2d(2).forward(iota(1, 1, 4, 4));
        assertShape(y, 1, 1, 2, 2);
        assertValues(y, 5, 7, 13, 15);
    }

    @Test
    void maxPool2dPaddingIsNegativeInfinityNotZero() {
        // All inputs negative: a zero-padded window would report 0 at the borders.
        double[] x = NnReference.random(5, 2 * 3 * 5 * 5, -3, -1);
        Tensor y = new MaxPool2d(3, 2, 1).forward(NnReference.f32(x, 2, 3, 5, 5));
        assertShape(y, 2, 3, 3, 3);
        assertValues(y, NnReference.pool2d(x, 2, 3, 5, 5, 3, 2, 1, true));
    }

    @Test
    void maxPool2dMatchesTheNaiveLoop() {
        double[] x = NnReference.random(6, 2 * 2 * 7 * 6, -1, 1);
        assertValues(new MaxPool2d(3, 1, 0).forward(NnReference.f32(x, 2, 2, 7, 6)),
                NnReference.pool2d(x, 2, 2, 7, 6, 3, 1, 0, true));
        // a 7x6 input with 2x2 windows drops the last row (floor)
        assertValues(new MaxPool2d(2).forward(NnReference.f32(x, 2, 2, 7, 6)),
                NnReference.pool2d(x, 2, 2, 7, 6, 2, 2, 0, true));
    }

    @Test
    void aWindowLargerThanTheInputIsRefused() {
        // 1 row under a 2x2 window with stride 2: no window fits (truncating division once counted one)
        ShapeException pool = assertThrows(ShapeException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(1, 1, 1, 6)));
        assertTrue(pool.getMessage().contains("does not fit an input of 1x6"), pool.getMessage());
        assertThrows(ShapeException.class, () -> new AvgPool2d(2).forward(Tensor.zeros(1, 1, 6, 1)));
        assertThrows(ShapeException.class, () -> new Conv2d(1, 1, 3, 2, 0).forward(Tensor.zeros(1, 1, 2, 5)));
    }

    @Test
    void maxPool2dPropagatesNaNInBothPrecisions() {
        double[] x = {1, Double.NaN, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            Tensor y = new MaxPool2d(2).forward(Tensor.of(x, 1, 1, 4, 4).to(dtype));
            assertValues(y, Double.NaN, 7, 13, 15);
            Tensor z = new MaxPool2d(3, 1, 1).forward(Tensor.of(x, 1, 1, 4, 4).to(dtype));
            double[] zv = z.toDoubleArray();
            assertTrue(Double.isNaN(zv[0]) && Double.isNaN(zv[1]) && Double.isNaN(zv[2]) && !Double.isNaN(zv[3]),
                    dtype + ": windows holding the NaN are NaN: " + java.util.Arrays.toString(zv));
        }
    }

    @Test
    void avgPool2dHandComputedAndCountsPadding() {
        Tensor y = new AvgPool2d(2).forward(iota(1, 1, 4, 4));
        assertValues(y, 2.5, 4.5, 10.5, 12.5);
        // 2x2 of ones with a 3x3 window, stride 1, padding 1: every window holds 4 ones out of 9 (count_include_pad)
        Tensor z = new AvgPool2d(3, 1, 1).forward(Tensor.ones(1, 1, 2, 2));
        assertValues(z, 4 / 9.0, 4 / 9.0, 4 / 9.0, 4 / 9.0);
        double[] x = NnReference.random(7, 2 * 3 * 6 * 5, -1, 1);
        assertValues(new AvgPool2d(3, 2, 1).forward(NnReference.f32(x, 2, 3, 6, 5)),
                NnReference.pool2d(x, 2, 3, 6, 5, 3, 2, 1, false));
    }

    @Test
    void adaptiveAvgPool2dDivisibleSizes() {
        Tensor y = new AdaptiveAvgPool2d(2).forward(iota(1, 1, 4, 4));
        assertShape(y, 1, 1, 2, 2);
        assertValues(y, 2.5, 4.5, 10.5, 12.5);
        Tensor global = new AdaptiveAvgPool2d(1).forward(iota(2, 3, 4, 4));
        assertShape(global, 2, 3, 1, 1);
        double[] expected = new double[6];
        for (int p = 0; p < 6; p++) {
            expected[p] = p * 16 + 7.5;
        }
        assertValues(global, expected);
    }

    @Test
    void adaptiveAvgPool2dNonDivisibleSizesUseOverlappingBins() {
        // 5 rows into 3 bins: [0, 2), [1, 4), [3, 5); 7 columns into 2 bins: [0, 4), [3, 7)
        double[] x = NnReference.random(8, 2 * 2 * 5 * 7, -1, 1);
        Tensor y = new AdaptiveAvgPool2d(3, 2).forward(NnReference.f32(x, 2, 2, 5, 7));
        assertShape(y, 2, 2, 3, 2);
        assertValues(y, NnReference.adaptiveAvgPool2d(x, 2, 2, 5, 7, 3, 2));
        // upsampling (output larger than input) repeats values
        Tensor up = new AdaptiveAvgPool2d(4, 3).forward(iota(1, 1, 2, 3));
        assertValues(up, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);
        // 3x3 input into 2x2: bins [0, 2) and [1, 3) in both directions
        Tensor small = new AdaptiveAvgPool2d(2).forward(iota(1, 1, 3, 3));
        assertValues(small, 2, 3, 5, 6);
    }

    // ------------------------------------------------------------------ embedding, reshaping, containers

    @Test
    void embeddingPicksRowsForIndicesOfAnyShape() {
        Embedding emb = new Embedding(5, 3);
        double[] w = NnReference.randomizeParameters(emb, 11, 1).get("weight");
        Tensor idx = Tensor.of(new long[]{4, 0, 2, 2, 1, 4}, 2, 3);
        Tensor y = emb.forward(idx);
        assertShape(y, 2, 3, 3);
        long[] ids = {4, 0, 2, 2, 1, 4};
        double[] expected = new double[18];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(w, (int) ids[i] * 3, expected, i * 3, 3);
        }
        assertValues(y, expected);
        assertShape(emb.forward(Tensor.of(new long[]{3}).reshape()), 3);
    }

    @Test
    void embeddingDefaultInitIsStandardNormal() {
        double[] w = new Embedding(1000, 10).weight().toDoubleArray();
        double mean = 0, sq = 0;
        for (double v : w) {
            mean += v;
            sq += v * v;
        }
        mean /= w.length;
        double var = sq / w.length - mean * mean;
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);
    }

    @Test
    void embeddingRejectsOutOfRangeIndices() {
        Embedding emb = new Embedding(5, 3);
        assertThrows(RuntimeException.class, () -> emb.forward(Tensor.of(new long[]{5})));
        assertThrows(RuntimeException.class, () -> emb.forward(Tensor.of(new long[]{-1})));
    }

    @Test
    void flattenKeepsTheBatchDimensionByDefault() {
        Tensor x = iota(2, 3, 4, 5);
        Tensor y = new Flatten().forward(x);
        assertShape(y, 2, 60);
        assertValues(y, x.toDoubleArray());
        assertShape(new Flatten(1, 2).forward(x), 2, 12, 5);
        assertShape(new Flatten(0, -1).forward(x), 120);
    }

    @Test
    void identityReturnsItsInput() {
        Tensor x = iota(2, 3);
        assertSame(x, new Identity().forward(x));
        assertTrue(new Identity().parameters().isEmpty());
    }

    @Test
    void sequentialRunsChildrenInOrderUnderIndexNames() {
        Linear first = new Linear(3, 4);
        Linear second = new Linear(4, 2);
        Sequential seq = new Sequential(first, Activation.relu()).add(second);
        assertEquals(3, seq.size());
        assertSame(second, seq.get(2));
        assertEquals(List.of("0", "1", "2"), List.copyOf(seq.namedChildren().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(seq.namedParameters().keySet()));
        Map<String, double[]> p = NnReference.randomizeParameters(seq, 12, 1);
        double[] x = NnReference.random(13, 6, -1, 1);
        double[] h = NnReference.linear(x, 2, 3, p.get("0.weight"), p.get("0.bias"), 4);
        for (int i = 0; i < h.length; i++) {
            h[i] = Math.max(0, h[i]);
        }
        assertValuesWithin(seq.forward(NnReference.f32(x, 2, 3)), LAYER_RTOL, LAYER_ATOL,
                NnReference.linear(h, 2, 4, p.get("2.weight"), p.get("2.bias"), 2));
    }

    @Test
    void moduleListRegistersItsModulesButHasNoForward() {
        ModuleList list = new ModuleList(new Linear(2, 3), new Linear(3, 1, false));
        list.add(new Identity());
        assertEquals(3, list.size());
        assertEquals(List.of("0.weight", "0.bias", "1.weight"), List.copyOf(list.namedParameters().keySet()));
        List<String> types = new ArrayList<>();
        for (Module m : list) {
            types.add(m.getClass().getSimpleName());
        }
        assertEquals(List.of("Linear", "Linear", "Identity"), types);
        assertThrows(UnsupportedOperationException.class, () -> list.forward(Tensor.zeros(1, 2)));
    }

    // ------------------------------------------------------------------ activations

    @Test
    void activationModulesMatchTheirFormulas() {
        double[] x = {-3, -1.5, -0.25, 0, 0.4, 1, 2.5, 25};
        check(Activation.relu(), x, v -> Math.max(0, v));
        check(Activation.leakyRelu(0.1), x, v -> v >= 0 ? v : 0.1 * v);
        check(Activation.tanh(), x, Math::tanh);
        check(Activation.sigmoid(), x, Reference::sigmoid);
        check(Activation.silu(), x, v -> v * Reference.sigmoid(v));
        check(Activation.gelu(), x, Reference::gelu);
        check(Activation.geluTanh(), x, Reference::geluTanh);
        check(Activation.softplus(), x, Reference::softplus);
        assertEquals("ReLU", Activation.relu().name());
        assertTrue(Activation.relu().parameters().isEmpty());
    }

    private static void check(Activation a, double[] x, DoubleUnaryOperator f) {
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = f.applyAsDouble(x[i]);
        }
        Tensor y = a.forward(Tensor.of(x));
        assertEquals(DType.FLOAT64, y.dtype());
        assertValuesWithin(y, 1e-12, 1e-14, expected);
    }

    @Test
    void softmaxAndLogSoftmaxModulesUseTheirDimension() {
        double[] x = {1, 2, 3, 0, -1, 5};
        Tensor rows = Activation.softmax(1).forward(Tensor.of(x, 2, 3));
        Tensor cols = Activation.softmax(0).forward(Tensor.of(x, 2, 3));
        double r0 = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double r1 = Math.exp(0) + Math.exp(-1) + Math.exp(5);
        assertValues(rows, Math.exp(1) / r0, Math.exp(2) / r0, Math.exp(3) / r0, 1 / r1, Math.exp(-1) / r1,
                Math.exp(5) / r1);
        assertValues(cols, Math.exp(1) / (Math.exp(1) + 1), Math.exp(2) / (Math.exp(2) + Math.exp(-1)),
                Math.exp(3) / (Math.exp(3) + Math.exp(5)), 1 / (Math.exp(1) + 1),
                Math.exp(-1) / (Math.exp(2) + Math.exp(-1)), Math.exp(5) / (Math.exp(3) + Math.exp(5)));
        Tensor logs = Activation.logSoftmax(-1).forward(Tensor.of(x, 2, 3));
        assertValues(logs, 1 - Math.log(r0), 2 - Math.log(r0), 3 - Math.log(r0), -Math.log(r1), -1 - Math.log(r1),
                5 - Math.log(r1));
    }

    // ------------------------------------------------------------------ initializers

    @Test
    void initGainsMatchCalculateGain() {
        assertEquals(1, Init.gain("linear", 0), 0);
        assertEquals(1, Init.gain("sigmoid", 0), 0);
        assertEquals(5.0 / 3, Init.gain("tanh", 0), 1e-15);
        assertEquals(Math.sqrt(2), Init.gain("relu", 0), 1e-15);
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.gain("leaky_relu", 0.01), 1e-15);
        assertEquals(0.75, Init.gain("selu", 0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Init.gain("swish", 0));
    }

    @Test
    void kaimingAndXavierUseFansOfTheWeight() {
        Tensor w = Tensor.zeros(64, 32, 3, 3); // fan in 288, fan out 576
        assertEquals(288, Init.fans(w)[0]);
        assertEquals(576, Init.fans(w)[1]);
        Init.kaimingUniform(w, 0, "relu");
        double bound = Math.sqrt(2) * Math.sqrt(3.0 / 288);
        assertBoundAndVariance(w.toDoubleArray(), bound, bound * bound / 3);
        Tensor x = Tensor.zeros(200, 100);
        Init.xavierUniform(x, 2.0);
        double xb = 2.0 * Math.sqrt(6.0 / 300);
        assertBoundAndVariance(x.toDoubleArray(), xb, xb * xb / 3);
        Tensor kn = Tensor.zeros(200, 100);
        Init.kaimingNormal(kn, 0, "relu");
        assertVariance(kn.toDoubleArray(), 2.0 / 100);
        Tensor xn = Tensor.zeros(200, 100);
        Init.xavierNormal(xn, 1.0);
        assertVariance(xn.toDoubleArray(), 2.0 / 300);
        Tensor c = Tensor.zeros(3, 2);
        Init.constant(c, 0.25);
        assertValues(c, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25);
        assertThrows(ShapeException.class, () -> Init.xavierUniform(Tensor.zeros(5), 1));
    }

    private static void assertBoundAndVariance(double[] v, double bound, double variance) {
        for (double d : v) {
            assertTrue(Math.abs(d) <= bound, () -> d + " beyond " + bound);
        }
        assertVariance(v, variance);
    }

    private static void assertVariance(double[] v, double variance) {
        double sq = 0;
        for (double d : v) {
            sq += d * d;
        }
        assertEquals(variance, sq / v.length, 0.06 * variance);
    }
}
