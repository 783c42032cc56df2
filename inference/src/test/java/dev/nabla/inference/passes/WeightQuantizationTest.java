package dev.nabla.inference.passes;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.inference.calibration.ActivationRanges;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphStats;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.nabla.inference.TestModels.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightQuantizationTest {

    @Test
    void weightsArePerChannelInt8WithinHalfAStepAndTheModelStaysClose() {
        Graph graph = new PassManager(Pipelines.exact(), false)
                .run(GraphCapture.trace(TestModels.cnn(true), TestModels.input(2, 1))).graph();
        PassResult r = new WeightQuantization().run(graph);
        Graph q = r.graph();
        assertEquals(4, q.calls().stream().filter(c -> c.op() instanceof Op.Dequantize).count());
        Node.Constant values = q.constantsByName().get("4.weight.int8");
        Node.Constant scales = q.constantsByName().get("4.weight.scale");
        assertEquals(DType.INT8, values.value().dtype());
        assertArrayEquals(new int[]{16}, scales.value().shape());
        // every weight within half a step of its channel's scale, and each channel uses the full range
        float[] w = graph.constantsByName().get("4.weight").value().toFloatArray();
        byte[] b = values.value().toByteArray();
        float[] s = scales.value().toFloatArray();
        int per = w.length / 16;
        for (int o = 0; o < 16; o++) {
            int max = 0;
            for (int i = o * per; i < (o + 1) * per; i++) {
                assertTrue(Math.abs(w[i] - b[i] * s[o]) <= s[o] / 2 + 1e-7, "weight " + i);
                max = Math.max(max, Math.abs(b[i]));
            }
            assertEquals(127, max, "channel " + o);
        }
        assertEquals(GraphStats.parameters(graph), GraphStats.parameters(q));
        Tensor x = TestModels.input(32, 8);
        double error = TestModels.relativeError(Interpreter.run(graph, x), Interpreter.run(q, x));
        assertTrue(error > 0 && error < 2e-2, "relative error " + error);
        assertTrue(r.changes().get(r.changes().size() - 1).contains("x smaller"), r.changes().toString());
        // constant folding keeps the int8 weights; the predictor expands them once and agrees with the interpreter
        Graph refolded = new ConstantFolding().run(q).graph();
        assertEquals(q.toString(), refolded.toString());
        assertBitwiseEqual(Interpreter.run(q, x), Predictor.of(q).predict(x), "predictor");
    }

    @Test
    void withCalibrationLinearLayersQuantizeTheirInputsAndStayClose() {
        Graph graph = new PassManager(Pipelines.exact(), false)
                .run(GraphCapture.trace(TestModels.cnn(true), TestModels.input(2, 1))).graph();
        for (var method : ActivationRanges.Method.values()) {
            PassResult r = new WeightQuantization(List.of(TestModels.input(64, 31)), method, 99.9).run(graph);
            Graph q = r.graph();
            assertEquals(2, q.calls().stream().filter(c -> c.op() instanceof Op.QuantizedLinear).count(), q.toString());
            assertEquals(2, q.calls().stream().filter(c -> c.op() instanceof Op.Conv2d).count());
            assertTrue(r.changes().stream().anyMatch(c -> c.contains("input quantized to int8")), r.changes().toString());
            Predictor predictor = Predictor.of(q);
            for (int batch : new int[]{1, 4, 9}) {
                Tensor x = TestModels.input(batch, 40 + batch);
                double toFloat = TestModels.relativeError(Interpreter.run(graph, x), predictor.predict(x));
                assertTrue(toFloat < 3e-2, method + " batch " + batch + ": " + toFloat);
                double toComposed = TestModels.relativeError(Interpreter.run(q, x), predictor.predict(x));
                assertTrue(toComposed < 1e-5, method + " batch " + batch + ": int8 kernel vs composed " + toComposed);
            }
        }
    }

    /** The first layer reads the graph's input itself, with no op in between: its range comes from the input. */
    @Test
    void aLinearLayerOnTheGraphInputIsCalibratedFromTheInput() {
        Nabla.manualSeed(5);
        Module mlp = new Sequential(new Linear(16, 8), Activation.relu(), new Linear(8, 4));
        Graph graph = GraphCapture.trace(mlp, Tensor.randn(2, 16));
        Tensor calibration = Tensor.randn(64, 16);
        Graph q = new WeightQuantization(List.of(calibration), ActivationRanges.Method.MIN_MAX, 100).run(graph).graph();
        assertEquals(2, q.calls().stream().filter(c -> c.op() instanceof Op.QuantizedLinear).count(), q.toString());
        Op.QuantizedLinear first = (Op.QuantizedLinear) q.calls().stream()
                .filter(c -> c.op() instanceof Op.QuantizedLinear).findFirst().orElseThrow().op();
        float largest = 0;
        for (float v : calibration.toFloatArray()) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertEquals(largest / 127, first.inputScale(), 1e-6);
        Tensor x = Tensor.randn(5, 16);
        double error = TestModels.relativeError(Interpreter.run(graph, x), Predictor.of(q).predict(x));
        assertTrue(error < 3e-2, "relative error " + error);
    }

    @Test
    void anAllZeroChannelGetsScaleOneAndStaysZero() {
        Tensor w = Tensor.of(new float[]{0, 0, 0, 0.5f, -1f, 0.25f}, 2, 3);
        WeightQuantization.Quantized q = WeightQuantization.quantize(w);
        assertArrayEquals(new byte[]{0, 0, 0, 64, -127, 32}, q.values().toByteArray());
        assertArrayEquals(new float[]{1f, 1f / 127}, q.scales().toFloatArray());
    }
}
