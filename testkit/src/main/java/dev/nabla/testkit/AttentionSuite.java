package dev.nabla.testkit;

import dev.nabla.Tensor;
import dev.nabla.nn.Activation;
import dev.nabla.nn.MultiheadAttention;
import dev.nabla.nn.TransformerEncoderLayer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.nabla.testkit.NnReference.LAYER_ATOL;
import static dev.nabla.testkit.NnReference.LAYER_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MultiheadAttention against a naive loop over batches and heads (masks, causal, batch-first or
 * not) and TransformerEncoderLayer (post- and pre-norm against a naive composition, causality).
 */
public abstract class AttentionSuite extends BackendTestBase {
    static final int E = 8;
    static final int HEADS = 2;

    private static void assertLayer(Tensor actual, double[] expected) {
        assertValuesWithin(actual, LAYER_RTOL, LAYER_ATOL, expected);
    }

    @Test
    void multiheadAttentionParametersHaveTorchNamesAndShapes() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                List.copyOf(mha.namedParameters().keySet()));
        assertShape(mha.parameter("in_proj_weight"), 3 * E, E);
        assertShape(mha.parameter("in_proj_bias"), 3 * E);
        // PyTorch: in_proj_bias and out_proj.bias start at zero, in_proj_weight is xavier-uniform
        assertValues(mha.parameter("in_proj_bias"), new double[3 * E]);
        assertValues(mha.namedParameters().get("out_proj.bias"), new double[E]);
        double bound = Math.sqrt(6.0 / (E + 3 * E));
        for (double v : mha.parameter("in_proj_weight").toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        MultiheadAttention noBias = new MultiheadAttention(E, HEADS, 0, false, true);
        assertEquals(List.of("in_proj_weight", "out_proj.weight"), List.copyOf(noBias.namedParameters().keySet()));
    }

    @Test
    void shortConstructorsAreSequenceFirstAsInPyTorch() {
        MultiheadAttention seqFirst = new MultiheadAttention(E, HEADS);
        MultiheadAttention batchFirst = new MultiheadAttention(E, HEADS, 0.0, true, true);
        batchFirst.loadStateDict(seqFirst.stateDict(), true);
        Tensor x = Tensor.randn(3, 2, E);                        // [seq, batch, E]
        double[] expected = batchFirst.forward(x.transpose(0, 1)).transpose(0, 1).toDoubleArray();
        assertValuesWithin(seqFirst.forward(x), 1e-6, 1e-6, expected);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(E, HEADS);
        layer.eval();
        assertShape(layer.forward(x), 3, 2, E);
    }

    @Test
    void selfAttentionMatchesTheNaivePerHeadLoop() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 1, 0.5);
        double[] x = NnReference.random(2, 2 * 5 * E, -1, 1);
        Tensor y = mha.forward(NnReference.f32(x, 2, 5, E));
        assertShape(y, 2, 5, E);
        assertLayer(y, NnReference.multiheadAttention(x, x, x, 2, 5, 5, E, HEADS, p, NnReference.AttentionMask.NONE));
    }

    @Test
    void crossAttentionWithDifferentQueryAndKeyLengths() {
        MultiheadAttention mha = new MultiheadAttention(E, 4, 0.0, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 3, 0.5);
        double[] q = NnReference.random(4, 2 * 3 * E, -1, 1);
        double[] k = NnReference.random(5, 2 * 6 * E, -1, 1);
        double[] v = NnReference.random(6, 2 * 6 * E, -1, 1);
        Tensor y = mha.forward(NnReference.f32(q, 2, 3, E), NnReference.f32(k, 2, 6, E), NnReference.f32(v, 2, 6, E),
                null, false);
        assertShape(y, 2, 3, E);
        assertLayer(y, NnReference.multiheadAttention(q, k, v, 2, 3, 6, E, 4, p, NnReference.AttentionMask.NONE));
    }

    @Test
    void causalAttentionHidesLaterPositions() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 7, 0.5);
        double[] x = NnReference.random(8, 2 * 4 * E, -1, 1);
        Tensor xt = NnReference.f32(x, 2, 4, E);
        assertLayer(mha.forward(xt, xt, xt, null, true),
                NnReference.multiheadAttention(x, x, x, 2, 4, 4, E, HEADS, p, NnReference.AttentionMask.CAUSAL));
    }

    @Test
    void boolMaskTrueMeansMaskedOut() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 9, 0.5);
        double[] x = NnReference.random(10, 2 * 3 * E, -1, 1);
        boolean[] masked = {false, true, true, false, false, true, true, false, false}; // [Lq=3, Lk=3], no full row
        Tensor xt = NnReference.f32(x, 2, 3, E);
        Tensor y = mha.forward(xt, xt, xt, Tensor.of(masked, 3, 3), false);
        assertLayer(y, NnReference.multiheadAttention(x, x, x, 2, 3, 3, E, HEADS, p,
                (b, h, i, j) -> masked[i * 3 + j] ? Double.NEGATIVE_INFINITY : 0));
    }

    @Test
    void floatMaskIsAddedToTheScores() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 11, 0.5);
        double[] x = NnReference.random(12, 2 * 3 * E, -1, 1);
        double[] bias = {0, -1, 0.5, Double.NEGATIVE_INFINITY, 0, 2, 0.25, -0.75, 0};
        Tensor xt = NnReference.f32(x, 2, 3, E);
        Tensor y = mha.forward(xt, xt, xt, NnReference.f32(bias, 3, 3), false);
        assertLayer(y, NnReference.multiheadAttention(x, x, x, 2, 3, 3, E, HEADS, p, (b, h, i, j) -> bias[i * 3 + j]));
    }

    @Test
    void perHeadMaskIsIndexedBatchTimesHeadsPlusHead() {
        // PyTorch: a 3-D attn_mask is [batch * heads, Lq, Lk] with row b * heads + h
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 13, 0.5);
        double[] x = NnReference.random(14, 2 * 3 * E, -1, 1);
        boolean[] masked = new boolean[2 * HEADS * 9];
        for (int bh = 0; bh < 2 * HEADS; bh++) {
            for (int i = 0; i < 3; i++) {
                masked[bh * 9 + i * 3 + (i + bh) % 3] = true; // a different key hidden for each (batch, head, query)
            }
        }
        Tensor xt = NnReference.f32(x, 2, 3, E);
        Tensor y = mha.forward(xt, xt, xt, Tensor.of(masked, 2 * HEADS, 3, 3), false);
        assertLayer(y, NnReference.multiheadAttention(x, x, x, 2, 3, 3, E, HEADS, p,
                (b, h, i, j) -> masked[(b * HEADS + h) * 9 + i * 3 + j] ? Double.NEGATIVE_INFINITY : 0));
    }

    @Test
    void sequenceFirstLayoutWhenNotBatchFirst() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0, true, false);
        Map<String, double[]> p = NnReference.randomizeParameters(mha, 15, 0.5);
        double[] x = NnReference.random(16, 3 * 4 * E, -1, 1); // batch 3, length 4, batch-first
        double[] seqFirst = NnReference.swapFirstTwo(x, 3, 4, E);
        Tensor y = mha.forward(NnReference.f32(seqFirst, 4, 3, E));
        assertShape(y, 4, 3, E);
        double[] expected = NnReference.multiheadAttention(x, x, x, 3, 4, 4, E, HEADS, p, NnReference.AttentionMask.NONE);
        assertLayer(y, NnReference.swapFirstTwo(expected, 3, 4, E));
    }

    // ------------------------------------------------------------------ TransformerEncoderLayer

    private static TransformerEncoderLayer encoder(boolean normFirst, boolean causal) {
        return new TransformerEncoderLayer(E, HEADS, 16, 0.0, Activation.relu(), true, normFirst, causal);
    }

    /** The encoder layer written from its definition with the naive attention. */
    private static double[] naiveEncoder(double[] x, int batch, int len, Map<String, double[]> p, boolean normFirst,
                                         NnReference.AttentionMask mask) {
        int rows = batch * len;
        if (normFirst) {
            double[] n1 = NnReference.layerNorm(x, rows, E, p.get("norm1.weight"), p.get("norm1.bias"), 1e-5);
            double[] a = NnReference.multiheadAttention(n1, n1, n1, batch, len, len, E, HEADS,
                    NnReference.sub(p, "self_attn."), mask);
            double[] x1 = add(x, a);
            double[] n2 = NnReference.layerNorm(x1, rows, E, p.get("norm2.weight"), p.get("norm2.bias"), 1e-5);
            return add(x1, feedForward(n2, rows, p));
        }
        double[] a = NnReference.multiheadAttention(x, x, x, batch, len, len, E, HEADS, NnReference.sub(p, "self_attn."), mask);
        double[] x1 = NnReference.layerNorm(add(x, a), rows, E, p.get("norm1.weight"), p.get("norm1.bias"), 1e-5);
        return NnReference.layerNorm(add(x1, feedForward(x1, rows, p)), rows, E, p.get("norm2.weight"),
                p.get("norm2.bias"), 1e-5);
    }

    private static double[] feedForward(double[] x, int rows, Map<String, double[]> p) {
        double[] h = NnReference.linear(x, rows, E, p.get("linear1.weight"), p.get("linear1.bias"), 16);
        for (int i = 0; i < h.length; i++) {
            h[i] = Math.max(0, h[i]);
        }
        return NnReference.linear(h, rows, 16, p.get("linear2.weight"), p.get("linear2.bias"), E);
    }

    private static double[] add(double[] a, double[] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    @Test
    void encoderLayerHasTorchParameterNames() {
        TransformerEncoderLayer layer = encoder(false, false);
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                        "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                        "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"),
                List.copyOf(layer.namedParameters().keySet()));
        assertShape(layer.forward(Tensor.zeros(2, 5, E)), 2, 5, E);
    }

    @Test
    void postNormEncoderMatchesItsDefinition() {
        TransformerEncoderLayer layer = encoder(false, false);
        Map<String, double[]> p = NnReference.randomizeParameters(layer, 20, 0.5);
        double[] x = NnReference.random(21, 2 * 5 * E, -1, 1);
        Tensor y = layer.forward(NnReference.f32(x, 2, 5, E));
        assertShape(y, 2, 5, E);
        assertLayer(y, naiveEncoder(x, 2, 5, p, false, NnReference.AttentionMask.NONE));
    }

    @Test
    void preNormEncoderMatchesItsDefinitionAndDiffersFromPostNorm() {
        TransformerEncoderLayer pre = encoder(true, false);
        TransformerEncoderLayer post = encoder(false, false);
        Map<String, double[]> p = NnReference.randomizeParameters(pre, 22, 0.5);
        post.loadStateDict(pre.stateDict(), true);
        double[] x = NnReference.random(23, 2 * 5 * E, -1, 1);
        Tensor yPre = pre.forward(NnReference.f32(x, 2, 5, E));
        assertLayer(yPre, naiveEncoder(x, 2, 5, p, true, NnReference.AttentionMask.NONE));
        double[] yPost = post.forward(NnReference.f32(x, 2, 5, E)).toDoubleArray();
        double maxDiff = 0;
        double[] pre2 = yPre.toDoubleArray();
        for (int i = 0; i < pre2.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(pre2[i] - yPost[i]));
        }
        assertTrue(maxDiff > 0.1, "pre-norm and post-norm give different outputs, max diff " + maxDiff);
    }

    @Test
    void encoderLayerWithAMaskMatchesItsDefinition() {
        TransformerEncoderLayer layer = encoder(false, false);
        Map<String, double[]> p = NnReference.randomizeParameters(layer, 24, 0.5);
        double[] x = NnReference.random(25, 2 * 3 * E, -1, 1);
        boolean[] masked = {false, true, false, false, false, true, true, false, false};
        Tensor y = layer.forward(NnReference.f32(x, 2, 3, E), Tensor.of(masked, 3, 3));
        assertLayer(y, naiveEncoder(x, 2, 3, p, false, (b, h, i, j) -> masked[i * 3 + j] ? Double.NEGATIVE_INFINITY : 0));
    }

    @Test
    void causalEncoderOutputAtTDoesNotDependOnLaterPositions() {
        for (boolean normFirst : new boolean[]{false, true}) {
            TransformerEncoderLayer causal = encoder(normFirst, true);
            Map<String, double[]> p = NnReference.randomizeParameters(causal, 26, 0.5);
            TransformerEncoderLayer open = encoder(normFirst, false);
            open.loadStateDict(causal.stateDict(), true);
            int len = 6, t = 2;
            double[] x = NnReference.random(27, len * E, -1, 1);
            double[] changed = x.clone();
            for (int i = (t + 1) * E; i < len * E; i++) {
                changed[i] = -2 * changed[i] + 0.5; // every position after t changes
            }
            double[] a = causal.forward(NnReference.f32(x, 1, len, E)).toDoubleArray();
            double[] b = causal.forward(NnReference.f32(changed, 1, len, E)).toDoubleArray();
            assertValuesWithin(NnReference.f32(java.util.Arrays.copyOf(b, (t + 1) * E), (t + 1) * E), 0, 1e-6,
                    java.util.Arrays.copyOf(a, (t + 1) * E));
            assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(a, (t + 1) * E, len * E),
                    java.util.Arrays.copyOfRange(b, (t + 1) * E, len * E)), "later positions do change");
            // without the causal option, position 0 sees the change
            double[] c = open.forward(NnReference.f32(x, 1, len, E)).toDoubleArray();
            double[] d = open.forward(NnReference.f32(changed, 1, len, E)).toDoubleArray();
            assertTrue(Math.abs(c[0] - d[0]) > 1e-4, "a non-causal layer depends on later positions");
            assertLayer(NnReference.f32(a, len * E), naiveEncoder(x, 1, len, p, normFirst, NnReference.AttentionMask.CAUSAL));
        }
    }

    @Test
    void dropoutInTheEncoderIsOffInEvalMode() {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(E, HEADS, 16, 0.5, Activation.relu(), true, false, false);
        Map<String, double[]> p = NnReference.randomizeParameters(layer, 28, 0.5);
        double[] x = NnReference.random(29, 2 * 4 * E, -1, 1);
        layer.eval();
        assertLayer(layer.forward(NnReference.f32(x, 2, 4, E)), naiveEncoder(x, 2, 4, p, false, NnReference.AttentionMask.NONE));
        layer.train();
        double[] trained = layer.forward(NnReference.f32(x, 2, 4, E)).toDoubleArray();
        assertFalse(java.util.Arrays.equals(trained, layer.eval().forward(NnReference.f32(x, 2, 4, E)).toDoubleArray()));
    }
}
