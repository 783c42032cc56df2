package dev.nabla.testkit;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.nn.LSTM;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.nabla.testkit.NnReference.LAYER_ATOL;
import static dev.nabla.testkit.NnReference.LAYER_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LSTM against a naive cell loop with the same weights: one step, stacked sequences, batch-first, h0/c0. */
public abstract class RecurrentSuite extends BackendTestBase {

    private static void assertLayer(Tensor actual, double[] expected) {
        assertValuesWithin(actual, LAYER_RTOL, LAYER_ATOL, expected);
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
}
