package dev.nabla.inference.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.nabla.Tensor;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.passes.PassManager;
import dev.nabla.inference.passes.Pipelines;
import dev.nabla.inference.passes.WeightQuantization;
import dev.nabla.nn.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Traced test models exported to ONNX and run in ONNX Runtime at several batch sizes. */
class OnnxExportModelsTest {

    private static void assertRunsLikeNabla(String what, Module model) throws OrtException {
        Graph traced = GraphCapture.trace(model, TestModels.input(2, 1));
        assertRunsLikeNabla(what, traced);
        // after the exact passes: folded batch norms, and ReLUs fused into conv2d and linear
        Graph exact = new PassManager(Pipelines.exact(), false).run(traced).graph();
        assertRunsLikeNabla(what + " (exact passes)", exact);
        // int8 weights: DequantizeLinear per output channel
        assertRunsLikeNabla(what + " (int8 weights)", new WeightQuantization().run(exact).graph());
    }

    private static void assertRunsLikeNabla(String what, Graph graph) throws OrtException {
        try (OrtSession session = Ort.session(OnnxExport.toBytes(graph, what))) {
            for (int batch : new int[]{1, 2, 7}) {
                Tensor x = TestModels.input(batch, 30 + batch);
                Tensor expected = Interpreter.run(graph, x);
                Tensor actual = Ort.run(session, List.of("input"), List.of(x)).get(0);
                assertArrayEquals(new int[]{batch, 10}, actual.shape(), what + " at batch " + batch);
                double error = TestModels.relativeError(expected, actual);
                assertTrue(error <= 1e-5, what + " at batch " + batch + ": relative error " + error);
            }
        }
    }

    @Test
    void mlpMatchesTheInterpreterAtBatchSizes1And2And7() throws OrtException {
        assertRunsLikeNabla("mlp", TestModels.mlp());
    }

    @Test
    void cnnMatchesTheInterpreterAtBatchSizes1And2And7() throws OrtException {
        assertRunsLikeNabla("cnn", TestModels.cnn(false));
    }

    @Test
    void cnnWithBatchNormMatchesTheInterpreterAtBatchSizes1And2And7() throws OrtException {
        assertRunsLikeNabla("cnn-bn", TestModels.cnn(true));
    }

    @Test
    void ceilModeMaxPoolExportsAsNegativeInfinityPadAndMaxPool() throws OrtException {
        // ceil_mode is captured as a -inf Pad on the far side followed by the ordinary max_pool2d
        assertRunsLikeNabla("ceil-mode max pool", TestModels.ceilModePooling(false));
    }

    @Test
    void theInputAndOutputBatchDimensionIsTheSymbolN() throws OrtException {
        Graph graph = GraphCapture.trace(TestModels.cnn(false), TestModels.input(2, 1));
        try (OrtSession session = Ort.session(OnnxExport.toBytes(graph, "cnn"))) {
            TensorInfo input = (TensorInfo) session.getInputInfo().get("input").getInfo();
            assertArrayEquals(new long[]{-1, 1, 8, 8}, input.getShape());
            assertArrayEquals(new String[]{"N", "", "", ""}, input.getDimensionNames());
            String outputName = graph.outputs().get(0).name();
            TensorInfo output = (TensorInfo) session.getOutputInfo().get(outputName).getInfo();
            assertArrayEquals(new long[]{-1, 10}, output.getShape());
            assertEquals("N", output.getDimensionNames()[0]);
        }
    }

    @Test
    void writtenFileLoadsFromItsPathAndRunsTheModel(@TempDir Path dir) throws OrtException, IOException {
        Module model = TestModels.cnn(true);
        Graph graph = GraphCapture.trace(model, TestModels.input(2, 1));
        Path file = dir.resolve("cnn.onnx");
        OnnxExport.write(graph, file);
        try (OrtSession session = Ort.session(file.toString())) {
            Map<String, ?> inputs = session.getInputInfo();
            assertEquals(List.of("input"), List.copyOf(inputs.keySet()));
            Tensor x = TestModels.input(3, 9);
            Tensor actual = Ort.run(session, List.of("input"), List.of(x)).get(0);
            assertTrue(TestModels.relativeError(Interpreter.run(graph, x), actual) <= 1e-5);
        }
        // the graph is named after the file; no temporary file of the atomic write is left behind
        assertArrayEquals(OnnxExport.toBytes(graph, "cnn"), Files.readAllBytes(file));
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList());
        }
    }
}
