package dev.nabla.testkit;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.nn.GRU;
import dev.nabla.nn.LSTM;
import dev.nabla.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.nabla.testkit.NnReference.LAYER_ATOL;
import static dev.nabla.testkit.NnReference.LAYER_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LSTM and GRU against naive cell loops in doubles with the same weights: one step, stacked and
 * bidirectional sequences, batch-first, unbatched input, h0/c0, dropout between layers; torch's
 * parameter names and shapes, state dicts, printing and argument checks.
 */
public abstract class RecurrentSuite extends BackendTestBase {

    private static void assertLayer(Tensor actual, double[] expected) {
        assertValuesWithin(actual, LAYER_RTOL, LAYER_ATOL, expected);
    }

    private static Tensor f32OrNull(double[] values, int... shape) {
        return values == null ? null : NnReference.f32(values, shape);
    }

    private static void assertFails(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable t = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(t.getMessage().contains(part), "expected '" + part + "' in: " + t.getMessage());
        }
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Layer {@code layer}'s parameters renamed as layer 0's, to run that layer alone in the reference. */
    private static Map<String, double[]> layerAsFirst(Map<String, double[]> p, int layer) {
        Map<String, double[]> out = new LinkedHashMap<>();
        p.forEach((k, v) -> {
            if (k.contains("_l" + layer)) {
                out.put(k.replace("_l" + layer, "_l0"), v);
            }
        });
        return out;
    }

    private static List<String> keysAndShapes(Module m) {
        List<String> out = new ArrayList<>();
        m.stateDict().forEach((k, v) -> out.add(k + " " + java.util.Arrays.toString(v.shape())));
        return out;
    }

    @Test
    void parametersHaveTorchNamesShapesAndInit() {
        LSTM lstm = new LSTM(3, 5, 2, true, false);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), List.copyOf(lstm.namedParameters().keySet()));
        assertShape(lstm.parameter("weight_ih_l0"), 20, 3);
        assertShape(lstm.parameter("weight_hh_l0"), 20, 5);
        assertShape(lstm.parameter("bias_ih_l0"), 20);
        assertShape(lstm.parameter("weight_ih_l1"), 20, 5);
        double bound = 1 / Math.sqrt(5);
        for (Tensor p : lstm.parameters()) {
            for (double v : p.toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, "LSTM parameters are U(-1/sqrt(hidden), 1/sqrt(hidden))");
            }
        }
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"),
                List.copyOf(new LSTM(3, 5, 1, false, false).namedParameters().keySet()));
    }

    @Test
    void oneStepMatchesTheCellEquations() {
        LSTM lstm = new LSTM(3, 4, 1, true, false);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 1, 0.6);
        double[] x = NnReference.random(2, 2 * 3, -1, 1);
        double[] h0 = NnReference.random(3, 2 * 4, -1, 1);
        double[] c0 = NnReference.random(4, 2 * 4, -1, 1);
        LSTM.Output out = lstm.forward(NnReference.f32(x, 1, 2, 3), NnReference.f32(h0, 1, 2, 4), NnReference.f32(c0, 1, 2, 4));
        double[][] hc = NnReference.lstmCell(x, h0, c0, 2, 3, 4, p.get("weight_ih_l0"), p.get("weight_hh_l0"),
                p.get("bias_ih_l0"), p.get("bias_hh_l0"));
        assertShape(out.output(), 1, 2, 4);
        assertShape(out.hidden(), 1, 2, 4);
        assertShape(out.cell(), 1, 2, 4);
        assertLayer(out.output(), hc[0]);
        assertLayer(out.hidden(), hc[0]);
        assertLayer(out.cell(), hc[1]);
    }

    @Test
    void oneStepHandComputedWithZeroWeights() {
        // All weights zero, biases give gate pre-activations i = f = o = 0 and g = 0: c = c0 / 2, h = tanh(c) / 2
        LSTM lstm = new LSTM(2, 1, 1, true, false);
        NnReference.randomizeParameters(lstm, 5, 0);
        LSTM.Output out = lstm.forward(Tensor.ones(1, 1, 2), Tensor.zeros(1, 1, 1), Tensor.full(0.8, 1, 1, 1));
        assertValues(out.cell(), 0.4);
        assertValues(out.hidden(), 0.5 * Math.tanh(0.4));
    }

    @Test
    void twoLayerSequenceMatchesTheNaiveLoop() {
        LSTM lstm = new LSTM(3, 4, 2, true, false);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 6, 0.6);
        int seq = 5, batch = 2;
        double[] x = NnReference.random(7, seq * batch * 3, -1, 1);
        LSTM.Output out = lstm.forward(NnReference.f32(x, seq, batch, 3), null, null);
        double[][] ref = NnReference.lstm(x, seq, batch, 3, 4, 2, p, null, null);
        assertShape(out.output(), seq, batch, 4);
        assertShape(out.hidden(), 2, batch, 4);
        assertLayer(out.output(), ref[0]);
        assertLayer(out.hidden(), ref[1]);
        assertLayer(out.cell(), ref[2]);
        assertLayer(lstm.forward(NnReference.f32(x, seq, batch, 3)), ref[0]);
    }

    @Test
    void initialStatesAreUsedPerLayer() {
        LSTM lstm = new LSTM(2, 3, 2, true, false);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 8, 0.6);
        int seq = 3, batch = 2;
        double[] x = NnReference.random(9, seq * batch * 2, -1, 1);
        double[] h0 = NnReference.random(10, 2 * batch * 3, -1, 1);
        double[] c0 = NnReference.random(11, 2 * batch * 3, -1, 1);
        LSTM.Output out = lstm.forward(NnReference.f32(x, seq, batch, 2), NnReference.f32(h0, 2, batch, 3),
                NnReference.f32(c0, 2, batch, 3));
        double[][] ref = NnReference.lstm(x, seq, batch, 2, 3, 2, p, h0, c0);
        assertLayer(out.output(), ref[0]);
        assertLayer(out.hidden(), ref[1]);
        assertLayer(out.cell(), ref[2]);
    }

    @Test
    void batchFirstTransposesInputAndOutputButNotTheStates() {
        LSTM lstm = new LSTM(3, 4, 2, true, true);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 12, 0.6);
        int seq = 4, batch = 3;
        double[] xBatchFirst = NnReference.random(13, batch * seq * 3, -1, 1);
        double[] h0 = NnReference.random(14, 2 * batch * 4, -1, 1);
        double[] c0 = NnReference.random(15, 2 * batch * 4, -1, 1);
        LSTM.Output out = lstm.forward(NnReference.f32(xBatchFirst, batch, seq, 3), NnReference.f32(h0, 2, batch, 4),
                NnReference.f32(c0, 2, batch, 4));
        double[][] ref = NnReference.lstm(NnReference.swapFirstTwo(xBatchFirst, batch, seq, 3), seq, batch, 3, 4, 2, p,
                h0, c0);
        assertShape(out.output(), batch, seq, 4);
        assertShape(out.hidden(), 2, batch, 4);
        assertLayer(out.output(), NnReference.swapFirstTwo(ref[0], seq, batch, 4));
        assertLayer(out.hidden(), ref[1]);
        assertLayer(out.cell(), ref[2]);
    }

    @Test
    void withoutBiasMatchesTheNaiveLoop() {
        LSTM lstm = new LSTM(2, 3, 1, false, false);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 16, 0.6);
        double[] x = NnReference.random(17, 4 * 2, -1, 1);
        double[][] ref = NnReference.lstm(x, 4, 1, 2, 3, 1, p, null, null);
        assertLayer(lstm.forward(NnReference.f32(x, 4, 1, 2)), ref[0]);
    }

    @Test
    void rejectsAWrongFeatureSize() {
        assertThrows(ShapeException.class, () -> new LSTM(3, 4).forward(Tensor.zeros(2, 1, 5)));
    }

    // ------------------------------------------------------------------ bidirectional LSTM

    @Test
    void bidirectionalLstmMatchesTheNaiveLoop() {
        long seed = 20;
        int seq = 4, batch = 2;
        for (int layers : new int[]{1, 2}) {
            for (boolean batchFirst : new boolean[]{false, true}) {
                for (boolean givenStates : new boolean[]{false, true}) {
                    LSTM lstm = new LSTM(3, 4, layers, true, batchFirst, 0, true);
                    Map<String, double[]> p = NnReference.randomizeParameters(lstm, 100 * seed++, 0.6);
                    int rows = 2 * layers;
                    double[] x = NnReference.random(seed++, seq * batch * 3, -1, 1);
                    double[] h0 = givenStates ? NnReference.random(seed++, rows * batch * 4, -1, 1) : null;
                    double[] c0 = givenStates ? NnReference.random(seed++, rows * batch * 4, -1, 1) : null;
                    Tensor input = batchFirst ? NnReference.f32(NnReference.swapFirstTwo(x, seq, batch, 3), batch, seq, 3)
                            : NnReference.f32(x, seq, batch, 3);
                    LSTM.Output out = lstm.forward(input, f32OrNull(h0, rows, batch, 4), f32OrNull(c0, rows, batch, 4));
                    double[][] ref = NnReference.recurrent(true, x, seq, batch, 3, 4, layers, true, p, h0, c0);
                    if (batchFirst) {
                        assertShape(out.output(), batch, seq, 8);
                        assertLayer(out.output(), NnReference.swapFirstTwo(ref[0], seq, batch, 8));
                    } else {
                        assertShape(out.output(), seq, batch, 8);
                        assertLayer(out.output(), ref[0]);
                    }
                    assertShape(out.hidden(), rows, batch, 4);
                    assertShape(out.cell(), rows, batch, 4);
                    assertLayer(out.hidden(), ref[1]);
                    assertLayer(out.cell(), ref[2]);
                }
            }
        }
    }

    @Test
    void bidirectionalOutputEndsWithTheFinalStatesOfEachDirection() {
        // The forward half of the last step and the reverse half of the first step are h_n of the last layer.
        LSTM lstm = new LSTM(2, 3, 2, true, false, 0, true);
        NnReference.randomizeParameters(lstm, 30, 0.6);
        LSTM.Output out = lstm.forward(NnReference.f32(NnReference.random(31, 5 * 2 * 2, -1, 1), 5, 2, 2), null, null);
        assertLayer(out.output().select(0, 4).narrow(1, 0, 3), out.hidden().select(0, 2).toDoubleArray());
        assertLayer(out.output().select(0, 0).narrow(1, 3, 3), out.hidden().select(0, 3).toDoubleArray());
    }

    // ------------------------------------------------------------------ GRU

    @Test
    void gruOneStepHandComputed() {
        // Zero weights; biases give r = 0.25, z = 0.75 and n = tanh(0.5 + r * 2) = tanh(1): h' = 0.25 tanh(1) + 0.75 h0.
        GRU gru = new GRU(1, 1);
        NnReference.randomizeParameters(gru, 40, 0);
        try (var off = dev.nabla.autograd.GradMode.noGrad()) {
            gru.parameter("bias_ih_l0").copyFrom(Tensor.of(new float[]{(float) Math.log(1 / 3.0), (float) Math.log(3), 0.5f}, 3));
            gru.parameter("bias_hh_l0").copyFrom(Tensor.of(new float[]{0, 0, 2}, 3));
        }
        GRU.Output out = gru.forward(Tensor.ones(1, 1, 1), Tensor.full(0.4, 1, 1, 1));
        assertValuesWithin(out.hidden(), 1e-6, 1e-6, 0.25 * Math.tanh(1) + 0.75 * 0.4);
        assertValuesWithin(out.output(), 1e-6, 1e-6, 0.25 * Math.tanh(1) + 0.75 * 0.4);
    }

    @Test
    void gruMatchesTheNaiveLoop() {
        Object[][] cases = { // layers, bias, batchFirst, bidirectional, given h0
                {1, true, false, false, false}, {2, true, false, false, true}, {2, true, true, true, true},
                {1, false, false, true, false}, {3, false, true, false, true}, {2, true, false, true, false}};
        long seed = 50;
        int seq = 4, batch = 3, in = 3, hidden = 5;
        for (Object[] c : cases) {
            int layers = (int) c[0];
            boolean bias = (boolean) c[1], batchFirst = (boolean) c[2], bidirectional = (boolean) c[3];
            int dirs = bidirectional ? 2 : 1, rows = layers * dirs;
            GRU gru = new GRU(in, hidden, layers, bias, batchFirst, 0, bidirectional);
            Map<String, double[]> p = NnReference.randomizeParameters(gru, 100 * seed++, 0.6);
            double[] x = NnReference.random(seed++, seq * batch * in, -1, 1);
            double[] h0 = (boolean) c[4] ? NnReference.random(seed++, rows * batch * hidden, -1, 1) : null;
            Tensor input = batchFirst ? NnReference.f32(NnReference.swapFirstTwo(x, seq, batch, in), batch, seq, in)
                    : NnReference.f32(x, seq, batch, in);
            GRU.Output out = gru.forward(input, f32OrNull(h0, rows, batch, hidden));
            double[][] ref = NnReference.recurrent(false, x, seq, batch, in, hidden, layers, bidirectional, p, h0, null);
            if (batchFirst) {
                assertShape(out.output(), batch, seq, dirs * hidden);
                assertLayer(out.output(), NnReference.swapFirstTwo(ref[0], seq, batch, dirs * hidden));
            } else {
                assertShape(out.output(), seq, batch, dirs * hidden);
                assertLayer(out.output(), ref[0]);
            }
            assertShape(out.hidden(), rows, batch, hidden);
            assertLayer(out.hidden(), ref[1]);
            assertLayer(gru.forward(input), gru.forward(input, null).output().toDoubleArray());
        }
    }

    // ------------------------------------------------------------------ unbatched input

    @Test
    void unbatchedInputGivesUnbatchedOutputs() {
        int seq = 3;
        for (boolean batchFirst : new boolean[]{false, true}) {
            LSTM lstm = new LSTM(3, 4, 2, true, batchFirst, 0, true);
            Map<String, double[]> p = NnReference.randomizeParameters(lstm, 60, 0.6);
            double[] x = NnReference.random(61, seq * 3, -1, 1);
            double[] h0 = NnReference.random(62, 4 * 4, -1, 1);
            double[] c0 = NnReference.random(63, 4 * 4, -1, 1);
            LSTM.Output out = lstm.forward(NnReference.f32(x, seq, 3), NnReference.f32(h0, 4, 4), NnReference.f32(c0, 4, 4));
            double[][] ref = NnReference.recurrent(true, x, seq, 1, 3, 4, 2, true, p, h0, c0);
            assertShape(out.output(), seq, 8);
            assertShape(out.hidden(), 4, 4);
            assertShape(out.cell(), 4, 4);
            assertLayer(out.output(), ref[0]);
            assertLayer(out.hidden(), ref[1]);
            assertLayer(out.cell(), ref[2]);

            GRU gru = new GRU(3, 4, 1, true, batchFirst, 0, false);
            Map<String, double[]> q = NnReference.randomizeParameters(gru, 64, 0.6);
            GRU.Output g = gru.forward(NnReference.f32(x, seq, 3), null);
            double[][] gref = NnReference.recurrent(false, x, seq, 1, 3, 4, 1, false, q, null, null);
            assertShape(g.output(), seq, 4);
            assertShape(g.hidden(), 1, 4);
            assertLayer(g.output(), gref[0]);
            assertLayer(g.hidden(), gref[1]);
        }
        assertFails(ShapeException.class, () -> new GRU(3, 4).forward(Tensor.zeros(2, 3), Tensor.zeros(1, 1, 4)),
                "GRU", "h0", "[1, 4]", "[1, 1, 4]");
    }

    // ------------------------------------------------------------------ dropout between layers

    @Test
    void dropoutIsTheIdentityInEvalModeAndForASingleLayer() {
        int seq = 4, batch = 2;
        double[] x = NnReference.random(70, seq * batch * 3, -1, 1);
        Tensor input = NnReference.f32(x, seq, batch, 3);

        LSTM lstm = new LSTM(3, 4, 3, true, false, 0.5, true);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 71, 0.6);
        lstm.eval();
        assertLayer(lstm.forward(input), NnReference.recurrent(true, x, seq, batch, 3, 4, 3, true, p, null, null)[0]);

        GRU gru = new GRU(3, 4, 2, true, false, 0.7, false);
        Map<String, double[]> q = NnReference.randomizeParameters(gru, 72, 0.6);
        gru.eval();
        assertLayer(gru.forward(input), NnReference.recurrent(false, x, seq, batch, 3, 4, 2, false, q, null, null)[0]);

        // One layer: there is no output between layers to drop, even in training mode (PyTorch warns; Nabla allows it).
        LSTM single = new LSTM(3, 4, 1, true, false, 0.9, false);
        Map<String, double[]> s = NnReference.randomizeParameters(single, 73, 0.6);
        single.train();
        assertLayer(single.forward(input), NnReference.recurrent(true, x, seq, batch, 3, 4, 1, false, s, null, null)[0]);

        // p = 0 in training mode changes nothing either.
        GRU none = new GRU(3, 4, 2, true, false, 0, true);
        Map<String, double[]> n = NnReference.randomizeParameters(none, 74, 0.6);
        none.train();
        assertLayer(none.forward(input), NnReference.recurrent(false, x, seq, batch, 3, 4, 2, true, n, null, null)[0]);
    }

    @Test
    void dropoutInTrainingModeChangesMultiLayerOutputs() {
        Tensor input = NnReference.f32(NnReference.random(75, 6 * 3 * 3, -1, 1), 6, 3, 3);
        for (Module m : new Module[]{new LSTM(3, 4, 2, true, false, 0.5, false), new GRU(3, 4, 2, true, false, 0.5, true)}) {
            NnReference.randomizeParameters(m, 76, 0.6);
            m.train();
            double[] trained = m.forward(input).toDoubleArray();
            m.eval();
            double[] evaluated = m.forward(input).toDoubleArray();
            double maxDiff = 0;
            for (int i = 0; i < trained.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(trained[i] - evaluated[i]));
            }
            assertTrue(maxDiff > 1e-3, m + ": training-mode dropout should change the output, max diff " + maxDiff);
        }
    }

    @Test
    void dropoutOfOneFeedsZerosToTheLaterLayers() {
        int seq = 3, batch = 2, in = 3, hidden = 4;
        double[] x = NnReference.random(80, seq * batch * in, -1, 1);
        double[] zeros = new double[seq * batch * 2 * hidden];
        double[] h0 = NnReference.random(81, 4 * batch * hidden, -1, 1);
        double[] c0 = NnReference.random(82, 4 * batch * hidden, -1, 1);
        int half = 2 * batch * hidden;
        double[] h0First = java.util.Arrays.copyOfRange(h0, 0, half), h0Second = java.util.Arrays.copyOfRange(h0, half, 2 * half);
        double[] c0First = java.util.Arrays.copyOfRange(c0, 0, half), c0Second = java.util.Arrays.copyOfRange(c0, half, 2 * half);

        LSTM lstm = new LSTM(in, hidden, 2, true, false, 1.0, true);
        Map<String, double[]> p = NnReference.randomizeParameters(lstm, 83, 0.6);
        lstm.train();
        LSTM.Output out = lstm.forward(NnReference.f32(x, seq, batch, in), NnReference.f32(h0, 4, batch, hidden),
                NnReference.f32(c0, 4, batch, hidden));
        double[][] first = NnReference.recurrent(true, x, seq, batch, in, hidden, 1, true, p, h0First, c0First);
        double[][] second = NnReference.recurrent(true, zeros, seq, batch, 2 * hidden, hidden, 1, true,
                layerAsFirst(p, 1), h0Second, c0Second);
        assertLayer(out.output(), second[0]);
        assertLayer(out.hidden(), concat(first[1], second[1]));
        assertLayer(out.cell(), concat(first[2], second[2]));

        GRU gru = new GRU(in, hidden, 2, true, false, 1.0, true);
        Map<String, double[]> q = NnReference.randomizeParameters(gru, 84, 0.6);
        gru.train();
        GRU.Output g = gru.forward(NnReference.f32(x, seq, batch, in), NnReference.f32(h0, 4, batch, hidden));
        double[][] gFirst = NnReference.recurrent(false, x, seq, batch, in, hidden, 1, true, q, h0First, null);
        double[][] gSecond = NnReference.recurrent(false, zeros, seq, batch, 2 * hidden, hidden, 1, true,
                layerAsFirst(q, 1), h0Second, null);
        assertLayer(g.output(), gSecond[0]);
        assertLayer(g.hidden(), concat(gFirst[1], gSecond[1]));
    }

    // ------------------------------------------------------------------ parameters, state dicts, printing

    @Test
    void bidirectionalParametersHaveTorchsStateDictNamesAndShapes() {
        // As printed by {k: tuple(v.shape) for k, v in torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True).state_dict().items()}
        assertEquals(List.of("weight_ih_l0 [20, 3]", "weight_hh_l0 [20, 5]", "bias_ih_l0 [20]", "bias_hh_l0 [20]",
                "weight_ih_l0_reverse [20, 3]", "weight_hh_l0_reverse [20, 5]", "bias_ih_l0_reverse [20]",
                "bias_hh_l0_reverse [20]", "weight_ih_l1 [20, 10]", "weight_hh_l1 [20, 5]", "bias_ih_l1 [20]",
                "bias_hh_l1 [20]", "weight_ih_l1_reverse [20, 10]", "weight_hh_l1_reverse [20, 5]",
                "bias_ih_l1_reverse [20]", "bias_hh_l1_reverse [20]"),
                keysAndShapes(new LSTM(3, 5, 2, true, false, 0, true)));
        // ... and torch.nn.GRU(3, 5, num_layers=2, bidirectional=True)
        assertEquals(List.of("weight_ih_l0 [15, 3]", "weight_hh_l0 [15, 5]", "bias_ih_l0 [15]", "bias_hh_l0 [15]",
                "weight_ih_l0_reverse [15, 3]", "weight_hh_l0_reverse [15, 5]", "bias_ih_l0_reverse [15]",
                "bias_hh_l0_reverse [15]", "weight_ih_l1 [15, 10]", "weight_hh_l1 [15, 5]", "bias_ih_l1 [15]",
                "bias_hh_l1 [15]", "weight_ih_l1_reverse [15, 10]", "weight_hh_l1_reverse [15, 5]",
                "bias_ih_l1_reverse [15]", "bias_hh_l1_reverse [15]"),
                keysAndShapes(new GRU(3, 5, 2, true, false, 0, true)));
        assertEquals(List.of("weight_ih_l0 [12, 2]", "weight_hh_l0 [12, 4]", "weight_ih_l0_reverse [12, 2]",
                "weight_hh_l0_reverse [12, 4]"), keysAndShapes(new GRU(2, 4, 1, false, false, 0, true)));
        double bound = 1 / Math.sqrt(5);
        for (Tensor p : new GRU(3, 5, 2, true, false, 0, true).parameters()) {
            for (double v : p.toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound, "GRU parameters are U(-1/sqrt(hidden), 1/sqrt(hidden))");
            }
        }
    }

    @Test
    void stateDictRoundTripReproducesTheOutputs() {
        Tensor input = NnReference.f32(NnReference.random(90, 4 * 2 * 3, -1, 1), 4, 2, 3);
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0.3, true);
        LSTM lstmCopy = new LSTM(3, 4, 2, true, false, 0.3, true);
        GRU gru = new GRU(3, 4, 2, false, false, 0.3, true);
        GRU gruCopy = new GRU(3, 4, 2, false, false, 0.3, true);
        Module[][] pairs = {{lstm, lstmCopy}, {gru, gruCopy}};
        for (Module[] pair : pairs) {
            NnReference.randomizeParameters(pair[0], 91, 0.6);
            assertTrue(pair[1].loadStateDict(pair[0].stateDict(), true).isComplete());
            pair[0].eval();
            pair[1].eval();
            assertValues(pair[1].forward(input), pair[0].forward(input).toDoubleArray());
        }
        // A unidirectional model does not know the _reverse keys...
        assertFails(IllegalArgumentException.class, () -> new LSTM(3, 4, 1, true, false)
                .loadStateDict(new LSTM(3, 4, 1, true, false, 0, true).stateDict(), true), "weight_ih_l0_reverse");
        // ... and its layer-1 input weights have another shape.
        assertFails(ShapeException.class, () -> new GRU(3, 4, 2, false, false).loadStateDict(gru.stateDict(), false),
                "weight_ih_l1", "[12, 4]", "[12, 8]");
    }

    /** The module's own line, without the parameter count that {@code toString} appends. */
    private static String header(Module m) {
        String s = m.toString();
        return s.substring(0, s.indexOf(')') + 1);
    }

    @Test
    void printsItsOptionsAsTorchDoes() {
        assertEquals("LSTM(10, 20, num_layers=2, dropout=0.5, bidirectional=true)",
                header(new LSTM(10, 20, 2, true, false, 0.5, true)));
        assertEquals("LSTM(3, 4)", header(new LSTM(3, 4)));
        assertEquals("GRU(3, 4, bias=false, batch_first=true)", header(new GRU(3, 4, 1, false, true)));
    }

    // ------------------------------------------------------------------ argument checks

    @Test
    void rejectsBadConstructorArguments() {
        assertFails(IllegalArgumentException.class, () -> new LSTM(0, 4), "LSTM", "inputSize");
        assertFails(IllegalArgumentException.class, () -> new GRU(3, -1), "GRU", "hiddenSize", "-1");
        assertFails(IllegalArgumentException.class, () -> new LSTM(3, 4, 0, true, false), "LSTM", "numLayers", "0");
        assertFails(IllegalArgumentException.class, () -> new GRU(3, 4, 2, true, false, 1.5, false), "GRU", "dropout", "1.5");
        assertFails(IllegalArgumentException.class, () -> new LSTM(3, 4, 2, true, false, -0.1, false), "LSTM", "dropout");
        assertFails(IllegalArgumentException.class, () -> new LSTM(3, 4, 2, true, false, Double.NaN, true), "LSTM", "NaN");
    }

    @Test
    void rejectsBadInputsAndStatesNamingTheModuleAndBothShapes() {
        assertFails(ShapeException.class, () -> new LSTM(3, 4).forward(Tensor.zeros(2, 1, 1, 3)),
                "LSTM", "[seq, batch, 3]", "[2, 1, 1, 3]");
        assertFails(ShapeException.class, () -> new GRU(3, 4).forward(Tensor.zeros(3)), "GRU", "[3]");
        assertFails(ShapeException.class, () -> new GRU(3, 4).forward(Tensor.zeros(2, 1, 5)), "GRU", "[seq, batch, 3]",
                "[2, 1, 5]");
        assertFails(ShapeException.class, () -> new GRU(3, 4, 1, true, true).forward(Tensor.zeros(2, 1, 5)), "GRU",
                "[batch, seq, 3]");
        LSTM bi = new LSTM(3, 4, 2, true, false, 0, true);
        assertFails(ShapeException.class, () -> bi.forward(Tensor.zeros(5, 2, 3), Tensor.zeros(2, 2, 4), null),
                "LSTM", "h0", "[4, 2, 4]", "[2, 2, 4]");
        assertFails(ShapeException.class, () -> bi.forward(Tensor.zeros(5, 2, 3), null, Tensor.zeros(4, 3, 4)),
                "LSTM", "c0", "[4, 2, 4]", "[4, 3, 4]");
        assertFails(ShapeException.class, () -> new GRU(3, 4, 2, true, true).forward(Tensor.zeros(2, 5, 3),
                Tensor.zeros(2, 2, 5)), "GRU", "h0", "[2, 2, 4]", "[2, 2, 5]");
        assertFails(ShapeException.class, () -> new LSTM(3, 4).forward(Tensor.zeros(0, 2, 3)), "LSTM", "non-empty");
    }
}
