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
import dev.nabla.nn.Functional;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.ModuleList;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Size2d;
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
 * attention in {@link AttentionSuite}, LSTM and GRU in {@link RecurrentSuite}, gradients in
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

    /** n, c, h, w, o, {kh, kw}, {sh, sw}, {ph, pw}, {dh, dw}, groups, bias: non-square kernels and options. */
    private record PairConvCase(int n, int c, int h, int w, int o, int[] k, int[] stride, int[] pad, int[] dilation,
                                int groups, boolean bias) {
    }

    private static final List<PairConvCase> NON_SQUARE_CONVS = List.of(
            new PairConvCase(2, 3, 6, 9, 4, new int[]{3, 5}, new int[]{1, 1}, new int[]{0, 0}, new int[]{1, 1}, 1, true),
            new PairConvCase(1, 2, 7, 10, 3, new int[]{3, 5}, new int[]{2, 3}, new int[]{1, 2}, new int[]{1, 2}, 1, true),
            new PairConvCase(2, 4, 8, 6, 4, new int[]{1, 3}, new int[]{2, 1}, new int[]{0, 1}, new int[]{1, 1}, 2, false),
            new PairConvCase(1, 2, 9, 5, 2, new int[]{2, 2}, new int[]{3, 1}, new int[]{2, 0}, new int[]{3, 1}, 1, true));

    @Test
    void conv2dWithPairsMatchesTheNaiveLoop() {
        long seed = 40;
        for (PairConvCase cc : NON_SQUARE_CONVS) {
            Conv2d conv = new Conv2d(cc.c, cc.o, Size2d.of(cc.k[0], cc.k[1]), Size2d.of(cc.stride[0], cc.stride[1]),
                    Size2d.of(cc.pad[0], cc.pad[1]), Size2d.of(cc.dilation[0], cc.dilation[1]), cc.groups, cc.bias);
            assertShape(conv.weight(), cc.o, cc.c / cc.groups, cc.k[0], cc.k[1]);
            Map<String, double[]> p = NnReference.randomizeParameters(conv, seed++, 0.5);
            double[] x = NnReference.random(seed++, cc.n * cc.c * cc.h * cc.w, -1, 1);
            Tensor y = conv.forward(NnReference.f32(x, cc.n, cc.c, cc.h, cc.w));
            // PyTorch: out = floor((in + 2p - d(k-1) - 1) / s) + 1 on each axis
            int oh = Math.floorDiv(cc.h + 2 * cc.pad[0] - cc.dilation[0] * (cc.k[0] - 1) - 1, cc.stride[0]) + 1;
            int ow = Math.floorDiv(cc.w + 2 * cc.pad[1] - cc.dilation[1] * (cc.k[1] - 1) - 1, cc.stride[1]) + 1;
            assertShape(y, cc.n, cc.o, oh, ow);
            double[] expected = NnReference.conv2d(x, cc.n, cc.c, cc.h, cc.w, p.get("weight"), cc.o, cc.k[0], cc.k[1],
                    p.get("bias"), cc.stride, cc.pad, cc.dilation, cc.groups);
            assertValuesWithin(y, LAYER_RTOL, LAYER_ATOL, expected);
            Tensor functional = Functional.conv2d(NnReference.f32(x, cc.n, cc.c, cc.h, cc.w), conv.weight(), conv.bias(),
                    conv.stride(), conv.padding(), conv.dilation(), cc.groups);
            assertValuesWithin(functional, LAYER_RTOL, LAYER_ATOL, expected);
        }
    }

    @Test
    void conv2dNonSquareShapeHandComputed() {
        // 7x10 input, kernel (3, 5), stride (2, 3), padding (1, 2), dilation (1, 2):
        // height floor((7 + 2 - 2 - 1) / 2) + 1 = 4, width floor((10 + 4 - 8 - 1) / 3) + 1 = 2
        Conv2d conv = new Conv2d(1, 2, Size2d.of(3, 5), Size2d.of(2, 3), Size2d.of(1, 2), Size2d.of(1, 2), 1, true);
        assertShape(conv.forward(Tensor.zeros(1, 1, 7, 10)), 1, 2, 4, 2);
        // a 1x3 all-ones kernel without bias sums three neighbours along the width
        Tensor ones = Tensor.ones(1, 1, 1, 3);
        assertValues(Functional.conv2d(iota(1, 1, 2, 4), ones, null, Size2d.of(1), Size2d.of(0, 1), Size2d.of(1), 1),
                1, 3, 6, 5, 9, 15, 18, 13);
        assertValues(Functional.conv2d(iota(1, 1, 2, 4), ones, null, 1, 0, 1, 1), 3, 6, 15, 18);
    }

    @Test
    void conv2dIntAndPairConstructorsAgree() {
        Conv2d square = new Conv2d(2, 3, 3, 2, 1, 1, 1, true);
        assertEquals(Size2d.of(3, 3), square.kernelSize());
        assertEquals(Size2d.of(2), square.stride());
        assertEquals(Size2d.of(1), square.padding());
        assertEquals(Size2d.of(1), square.dilation());
        Conv2d pairs = new Conv2d(2, 3, Size2d.of(3), Size2d.of(2), Size2d.of(1));
        assertEquals(square.geometry(), pairs.geometry());
        assertShape(pairs.weight(), 3, 2, 3, 3);
    }

    @Test
    void conv2dPrintsItsOptionsAsPyTorchDoes() {
        assertTrue(new Conv2d(3, 8, Size2d.of(3, 5), Size2d.of(1, 2), Size2d.of(1, 2)).toString()
                .startsWith("Conv2d(3, 8, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2))"));
        assertTrue(new Conv2d(1, 4, 3).toString().startsWith("Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))"));
        assertTrue(new Conv2d(4, 4, Size2d.of(1, 3), Size2d.of(1), Size2d.of(0), Size2d.of(2, 1), 2, false).toString()
                .startsWith("Conv2d(4, 4, kernel_size=(1, 3), stride=(1, 1), dilation=(2, 1), groups=2, bias=false)"));
    }

    @Test
    void conv2dOptionErrorsNameTheOpAndTheValue() {
        IllegalArgumentException kernel = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(1, 1, Size2d.of(3, 0)));
        assertTrue(kernel.getMessage().contains("Conv2d") && kernel.getMessage().contains("kernel_size")
                && kernel.getMessage().contains("(3, 0)"), kernel.getMessage());
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(Tensor.zeros(1, 1, 4, 4), Tensor.zeros(1, 1, 2, 2), null, Size2d.of(1, 0),
                        Size2d.of(0), Size2d.of(1), 1));
        assertTrue(stride.getMessage().contains("conv2d: stride must be positive, found (1, 0)"), stride.getMessage());
        IllegalArgumentException padding = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(Tensor.zeros(1, 1, 4, 4), Tensor.zeros(1, 1, 2, 2), null, Size2d.of(1),
                        Size2d.of(-1, 0), Size2d.of(1), 1));
        assertTrue(padding.getMessage().contains("conv2d: padding must be non-negative, found (-1, 0)"),
                padding.getMessage());
        ShapeException tooSmall = assertThrows(ShapeException.class,
                () -> new Conv2d(1, 1, Size2d.of(1, 5)).forward(Tensor.zeros(1, 1, 4, 4)));
        assertTrue(tooSmall.getMessage().contains("1x5") && tooSmall.getMessage().contains("4x4"), tooSmall.getMessage());
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
    void poolingWithPairsMatchesTheNaiveLoop() {
        int[][] cases = { // kh, kw, sh, sw, ph, pw, dh, dw (avg pooling only for dilation 1)
                {2, 3, 2, 3, 0, 0, 1, 1},
                {3, 2, 1, 2, 1, 1, 1, 1},
                {1, 3, 2, 1, 0, 1, 1, 1},
                {2, 3, 1, 2, 1, 0, 2, 1}};
        long seed = 60;
        for (int[] c : cases) {
            int n = 2, ch = 2, h = 7, w = 8;
            double[] x = NnReference.random(seed++, n * ch * h * w, -3, -1); // negative: padding must not look like 0
            Tensor input = NnReference.f32(x, n, ch, h, w);
            int[] k = {c[0], c[1]}, stride = {c[2], c[3]}, pad = {c[4], c[5]}, dilation = {c[6], c[7]};
            Size2d kernel = Size2d.of(k[0], k[1]), s2 = Size2d.of(stride[0], stride[1]), p2 = Size2d.of(pad[0], pad[1]);
            Tensor max = new MaxPool2d(kernel, s2, p2, Size2d.of(dilation[0], dilation[1])).forward(input);
            int oh = Math.floorDiv(h + 2 * pad[0] - dilation[0] * (k[0] - 1) - 1, stride[0]) + 1;
            int ow = Math.floorDiv(w + 2 * pad[1] - dilation[1] * (k[1] - 1) - 1, stride[1]) + 1;
            assertShape(max, n, ch, oh, ow);
            assertValues(max, NnReference.pool2d(x, n, ch, h, w, k, stride, pad, dilation, true));
            if (dilation[0] == 1 && dilation[1] == 1) {
                Tensor avg = new AvgPool2d(kernel, s2, p2).forward(input);
                assertShape(avg, n, ch, oh, ow);
                assertValuesWithin(avg, LAYER_RTOL, LAYER_ATOL,
                        NnReference.pool2d(x, n, ch, h, w, k, stride, pad, dilation, false));
                assertValues(Functional.avgPool2d(input, kernel, s2, p2), avg.toDoubleArray());
            }
            assertValues(Functional.maxPool2d(input, kernel, s2, p2, Size2d.of(dilation[0], dilation[1])),
                    max.toDoubleArray());
        }
    }

    @Test
    void poolingStrideDefaultsToTheKernelSize() {
        // 0..23 as 4x6, 2x3 windows with the default stride (2, 3): four non-overlapping windows
        Tensor x = iota(1, 1, 4, 6);
        assertValues(new MaxPool2d(Size2d.of(2, 3)).forward(x), 8, 11, 20, 23);
        assertValues(Functional.maxPool2d(x, Size2d.of(2, 3)), 8, 11, 20, 23);
        assertValues(Functional.maxPool2d(x, Size2d.of(2, 3), null, Size2d.of(0)), 8, 11, 20, 23);
        assertValues(new AvgPool2d(Size2d.of(2, 3)).forward(x), 4, 7, 16, 19);
        assertValues(Functional.avgPool2d(x, Size2d.of(2, 3)), 4, 7, 16, 19);
        assertEquals(Size2d.of(2, 3), new MaxPool2d(Size2d.of(2, 3)).stride());
        assertEquals(Size2d.of(2), new AvgPool2d(2).stride());
    }

    @Test
    void poolingPrintsItsOptionsAsPyTorchDoes() {
        assertTrue(new MaxPool2d(2).toString()
                .startsWith("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"));
        assertTrue(new MaxPool2d(Size2d.of(3, 5), Size2d.of(1, 2), Size2d.of(1, 2), Size2d.of(2, 1)).toString()
                .startsWith("MaxPool2d(kernel_size=(3, 5), stride=(1, 2), padding=(1, 2), dilation=(2, 1), "
                        + "ceil_mode=False)"));
        assertTrue(new MaxPool2d(2, 2, 0, 1, true).toString()
                .startsWith("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)"));
        assertTrue(new AvgPool2d(3, 2, 1).toString().startsWith("AvgPool2d(kernel_size=3, stride=2, padding=1)"));
        assertTrue(new AvgPool2d(Size2d.of(2, 4)).toString()
                .startsWith("AvgPool2d(kernel_size=(2, 4), stride=(2, 4), padding=0)"));
        // PyTorch's AvgPool2d prints neither ceil_mode nor count_include_pad
        assertTrue(new AvgPool2d(3, 2, 1, true, false).toString()
                .startsWith("AvgPool2d(kernel_size=3, stride=2, padding=1)"));
    }

    @Test
    void poolingOptionErrorsNameTheOpAndTheValue() {
        IllegalArgumentException stride = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(Size2d.of(2), Size2d.of(0, 1), Size2d.of(0)));
        assertTrue(stride.getMessage().contains("MaxPool2d: stride must be positive, found (0, 1)"), stride.getMessage());
        IllegalArgumentException kernel = assertThrows(IllegalArgumentException.class,
                () -> Functional.avgPool2d(Tensor.zeros(1, 1, 4, 4), Size2d.of(-1, 2)));
        assertTrue(kernel.getMessage().contains("avgPool2d: kernel_size must be positive, found (-1, 2)"),
                kernel.getMessage());
        // PyTorch: padding at most half the kernel, on each axis
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class,
                () -> Functional.maxPool2d(Tensor.zeros(1, 1, 6, 6), Size2d.of(4, 2), Size2d.of(1), Size2d.of(2, 2)));
        assertTrue(pad.getMessage().contains("maxPool2d: padding (2, 2) must be at most half the kernel size (4, 2)"),
                pad.getMessage());
    }

    @Test
    void poolingPaddingMustBeAtMostHalfTheKernelSize() {
        IllegalArgumentException avg = assertThrows(IllegalArgumentException.class,
                () -> new AvgPool2d(Size2d.of(3), Size2d.of(1), Size2d.of(2)));
        assertEquals("AvgPool2d: padding (2, 2) must be at most half the kernel size (3, 3)", avg.getMessage());
        IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(3, 1, 2, 1, true));
        assertEquals("MaxPool2d: padding (2, 2) must be at most half the kernel size (3, 3)", max.getMessage());
        // one axis is enough; half of an odd kernel rounds down (kernel 3 allows padding 1, not 2)
        IllegalArgumentException pair = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(Size2d.of(2, 5), Size2d.of(1), Size2d.of(2, 1)));
        assertTrue(pair.getMessage().contains("MaxPool2d: padding (2, 1)"), pair.getMessage());
        IllegalArgumentException functional = assertThrows(IllegalArgumentException.class,
                () -> Functional.avgPool2d(Tensor.zeros(1, 1, 6, 6), Size2d.of(2), Size2d.of(1), Size2d.of(0, 2)));
        assertTrue(functional.getMessage().contains("avgPool2d: padding (0, 2) must be at most half the kernel size"),
                functional.getMessage());
        // at the limit is fine
        assertShape(new AvgPool2d(Size2d.of(2, 5), Size2d.of(1), Size2d.of(1, 2)).forward(Tensor.zeros(1, 1, 3, 3)),
                1, 1, 4, 3);
    }

    // ------------------------------------------------------------------ ceil_mode and count_include_pad

    @Test
    void ceilModeOutputSizesByHand() {
        // 5x5, k=2, s=2: floor gives 2, ceil gives ceil(3/2)+1 = 3 (the last window holds only row/column 4)
        assertShape(new MaxPool2d(2).forward(Tensor.zeros(1, 1, 5, 5)), 1, 1, 2, 2);
        assertShape(new MaxPool2d(2, 2, 0, 1, true).forward(Tensor.zeros(1, 1, 5, 5)), 1, 1, 3, 3);
        // 6x6, k=3, s=2, p=1: floor gives 3, ceil gives ceil(5/2)+1 = 4; the last window starts at 5 < 6+1
        assertShape(new MaxPool2d(3, 2, 1, 1, true).forward(Tensor.zeros(1, 1, 6, 6)), 1, 1, 4, 4);
        assertShape(new AvgPool2d(3, 2, 1, true, true).forward(Tensor.zeros(1, 1, 6, 6)), 1, 1, 4, 4);
        // 5x5, k=2, s=2, p=1: ceil(5/2)+1 = 4 would start a window at 3*2-1 = 5, in the right padding: dropped, 3
        assertShape(new MaxPool2d(2, 2, 1, 1, true).forward(Tensor.zeros(1, 1, 5, 5)), 1, 1, 3, 3);
        assertShape(new AvgPool2d(2, 2, 1, true, false).forward(Tensor.zeros(1, 1, 5, 5)), 1, 1, 3, 3);
        // non-square: 7x4, kernel (3, 2), stride (2, 3): heights floor 3 / ceil 3, widths floor 1 / ceil 2
        Tensor x = Tensor.zeros(2, 3, 7, 4);
        assertShape(Functional.maxPool2d(x, Size2d.of(3, 2), Size2d.of(2, 3), Size2d.of(0), Size2d.of(1), true),
                2, 3, 3, 2);
        assertShape(Functional.avgPool2d(x, Size2d.of(3, 2), Size2d.of(2, 3), Size2d.of(0), true, true), 2, 3, 3, 2);
        // 1 row under a 2x2 window: floor has no window, ceil one clipped window (as in PyTorch)
        assertShape(new MaxPool2d(2, 2, 0, 1, true).forward(Tensor.zeros(1, 1, 1, 6)), 1, 1, 1, 3);
        assertThrows(ShapeException.class, () -> new MaxPool2d(4, 1, 0, 1, true).forward(Tensor.zeros(1, 1, 2, 6)));
        assertThrows(ShapeException.class, () -> new AvgPool2d(4, 1, 0, true, true).forward(Tensor.zeros(1, 1, 6, 2)));
    }

    @Test
    void ceilModeClippedWindowsByHand() {
        // 5x5 of 0..24 with 2x2 windows, stride 2: windows cover rows/columns {0,1}, {2,3}, {4}
        Tensor x = iota(1, 1, 5, 5);
        assertValues(new MaxPool2d(2, 2, 0, 1, true).forward(x), 6, 8, 9, 16, 18, 19, 21, 23, 24);
        // a clipped window averages the cells it covers (nothing of it lies in padding)
        assertValues(new AvgPool2d(2, 2, 0, true, true).forward(x), 3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24);
        assertValues(new AvgPool2d(2, 2, 0, true, false).forward(x), 3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24);
    }

    @Test
    void countIncludePadByHand() {
        // 2x2 of ones, 3x3 windows, stride 1, padding 1: 4 ones in each window; 4/9 counting padding, else 4/4
        Tensor ones = Tensor.ones(1, 1, 2, 2);
        assertValues(new AvgPool2d(3, 1, 1, false, true).forward(ones), 4 / 9.0, 4 / 9.0, 4 / 9.0, 4 / 9.0);
        assertValues(new AvgPool2d(3, 1, 1, false, false).forward(ones), 1, 1, 1, 1);
        // 6x6 of ones, k=3, s=2, p=1, ceil: 4 windows per axis starting at -1, 1, 3, 5. Counting padding, the divisor
        // per axis is 3, 3, 3 and 2 (the last window is clipped to the padded extent 6+1) while the ones it covers
        // are 2, 3, 3 and 1; without padding every window averages ones.
        double[] perAxis = {2 / 3.0, 1, 1, 1 / 2.0};
        double[] expected = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                expected[i * 4 + j] = perAxis[i] * perAxis[j];
            }
        }
        Tensor six = Tensor.ones(1, 1, 6, 6);
        assertValues(new AvgPool2d(3, 2, 1, true, true).forward(six), expected);
        double[] all = new double[16];
        java.util.Arrays.fill(all, 1);
        assertValues(new AvgPool2d(3, 2, 1, true, false).forward(six), all);
    }

    @Test
    void ceilModeAndCountIncludePadMatchTheNaiveLoop() {
        int[][] cases = { // h, w, kh, kw, sh, sw, ph, pw
                {5, 5, 2, 2, 2, 2, 0, 0},
                {6, 6, 3, 3, 2, 2, 1, 1},
                {7, 7, 3, 2, 2, 3, 1, 0},
                {5, 8, 2, 3, 2, 2, 1, 1},
                {6, 7, 3, 3, 3, 2, 1, 1},
                {4, 10, 1, 3, 1, 2, 0, 1},
                {8, 5, 4, 2, 3, 2, 2, 1}};
        long seed = 90;
        for (int[] c : cases) {
            int n = 2, ch = 3, h = c[0], w = c[1];
            double[] x = NnReference.random(seed++, n * ch * h * w, -3, -1); // negative: padding must not look like 0
            Tensor input = NnReference.f32(x, n, ch, h, w);
            int[] k = {c[2], c[3]}, stride = {c[4], c[5]}, pad = {c[6], c[7]}, one = {1, 1};
            Size2d kernel = Size2d.of(k[0], k[1]), s2 = Size2d.of(stride[0], stride[1]), p2 = Size2d.of(pad[0], pad[1]);
            String where = java.util.Arrays.toString(c);
            for (boolean ceil : new boolean[]{false, true}) {
                int oh = NnReference.poolOutSize(h, k[0], stride[0], pad[0], 1, ceil);
                int ow = NnReference.poolOutSize(w, k[1], stride[1], pad[1], 1, ceil);
                Tensor max = new MaxPool2d(kernel, s2, p2, Size2d.of(1), ceil).forward(input);
                assertShape(max, n, ch, oh, ow);
                assertValues(max, NnReference.pool2d(x, n, ch, h, w, k, stride, pad, one, true, ceil, true));
                for (boolean include : new boolean[]{true, false}) {
                    Tensor avg = new AvgPool2d(kernel, s2, p2, ceil, include).forward(input);
                    assertShape(avg, n, ch, oh, ow);
                    assertValuesWithin(avg, LAYER_RTOL, LAYER_ATOL,
                            NnReference.pool2d(x, n, ch, h, w, k, stride, pad, one, false, ceil, include));
                    assertValues(Functional.avgPool2d(input, kernel, s2, p2, ceil, include), avg.toDoubleArray());
                }
            }
            // ceil mode changes something in these cases (else they would not test it)
            assertTrue(NnReference.poolOutSize(h, k[0], stride[0], pad[0], 1, true)
                    * NnReference.poolOutSize(w, k[1], stride[1], pad[1], 1, true)
                    > NnReference.poolOutSize(h, k[0], stride[0], pad[0], 1, false)
                    * NnReference.poolOutSize(w, k[1], stride[1], pad[1], 1, false), where);
        }
        // ceil mode with dilation: the clipped window's cells past the input are ignored
        double[] x = NnReference.random(99, 2 * 2 * 9 * 7, -1, 1);
        Tensor dilated = Functional.maxPool2d(NnReference.f32(x, 2, 2, 9, 7), Size2d.of(2, 3), Size2d.of(3, 2),
                Size2d.of(1, 1), Size2d.of(2, 2), true);
        assertValues(dilated, NnReference.pool2d(x, 2, 2, 9, 7, new int[]{2, 3}, new int[]{3, 2}, new int[]{1, 1},
                new int[]{2, 2}, true, true, true));
    }

    @Test
    void ceilModeMaxPoolOfIntegersIsFloating() {
        Tensor y = new MaxPool2d(2, 2, 0, 1, true).forward(Tensor.of(new int[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3));
        assertTrue(y.dtype().isFloatingPoint(), y.dtype().toString());
        assertValues(y, 5, 6, 8, 9);
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
        // The bounds check may run asynchronously on a device backend: reading the result waits for it.
        assertThrows(RuntimeException.class, () -> emb.forward(Tensor.of(new long[]{5})).toFloatArray());
        assertThrows(RuntimeException.class, () -> emb.forward(Tensor.of(new long[]{-1})).toFloatArray());
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
