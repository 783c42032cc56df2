package dev.nabla.inference.format;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.passes.PassManager;
import dev.nabla.inference.passes.Pipelines;
import dev.nabla.inference.passes.WeightQuantization;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.nabla.inference.TestModels.assertBitwiseEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileRoundTripTest {
    private static final Map<String, String> METADATA = Map.of("name", "test model", "notes", "ünïcödé ✓ \"quoted\"");

    static List<Module> models() {
        return List.of(TestModels.mlp(), TestModels.cnn(false), TestModels.cnn(true), TestModels.ceilModePooling(true));
    }

    static Graph trace(Module model) {
        return GraphCapture.trace(model, TestModels.input(4, 1));
    }

    @Test
    void tracedModelsComeBackWithTheSameGraphOutputsAndMetadata(@TempDir Path dir) throws IOException {
        List<Module> models = models();
        for (int m = 0; m < models.size(); m++) {
            Module model = models.get(m);
            Graph graph = trace(model);
            Path file = dir.resolve(model.getClass().getSimpleName() + m + ".nabla");
            ModelFile.write(file, graph, METADATA);
            LoadedModel loaded = ModelFile.read(file);

            assertEquals(graph.toString(), loaded.graph().toString());
            assertEquals(METADATA, loaded.metadata());
            for (int batch : new int[]{1, 5}) {
                Tensor x = TestModels.input(batch, 40 + batch);
                assertBitwiseEqual(Interpreter.run(graph, x), Interpreter.run(loaded.graph(), x),
                        file.getFileName() + " at batch " + batch);
            }
            // Writing the loaded graph again gives the same file: nothing was lost or reordered.
            assertArrayEquals(Files.readAllBytes(file), ModelFile.toBytes(loaded.graph(), METADATA));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(models().size(), files.count(), "atomic writes leave no temporary files behind");
        }
    }

    /** The test MLP stored in a half type: casts its FLOAT32 input in and its result back out. */
    static final class HalfMlp extends Module {
        private final Module body;
        private final DType dtype;

        HalfMlp(DType dtype) {
            this.dtype = dtype;
            this.body = registerModule("body", TestModels.mlp().to(dtype));
        }

        @Override
        public Tensor forward(Tensor input) {
            return body.call(input.to(dtype)).to(DType.FLOAT32);
        }
    }

    @Test
    void halfPrecisionGraphsComeBackWithTheirCastsAndTwoByteWeights(@TempDir Path dir) throws IOException {
        for (DType half : new DType[]{DType.BFLOAT16, DType.FLOAT16}) {
            Graph graph = trace(new HalfMlp(half));
            String name = TensorType.dtypeName(half);
            assertTrue(graph.toString().contains("cast") && graph.toString().contains(name), graph.toString());
            Path file = dir.resolve(name + ".nabla");
            ModelFile.write(file, graph, METADATA);
            LoadedModel loaded = ModelFile.read(file);
            assertEquals(graph.toString(), loaded.graph().toString());
            Tensor x = TestModels.input(3, 5);
            Tensor expected = Interpreter.run(graph, x);
            assertEquals(DType.FLOAT32, expected.dtype());
            assertBitwiseEqual(expected, Interpreter.run(loaded.graph(), x), name);
            assertArrayEquals(Files.readAllBytes(file), ModelFile.toBytes(loaded.graph(), METADATA));
            // the weights are stored in two bytes each: the file saves 2 bytes per parameter, less the casts' text
            long halfBytes = Files.size(file);
            long floatBytes = ModelFile.toBytes(trace(TestModels.mlp()), METADATA).length;
            long params = TestModels.mlp().parameters().stream().mapToLong(Tensor::numel).sum();
            assertTrue(floatBytes - halfBytes > 2 * params - 1024, halfBytes + " bytes vs " + floatBytes
                    + " in FLOAT32 for " + params + " parameters");
            // and the result is the half model's: close to the FLOAT32 model's
            Tensor reference = Interpreter.run(trace(TestModels.mlp()), x);
            double[] e = reference.toDoubleArray();
            double[] a = expected.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 0.05 + 0.05 * Math.abs(e[i]), name + " output " + i);
            }
        }
    }

    @Test
    void slimmedAndInt8GraphsComeBackAndInt8WeightsTakeAQuarterOfTheBytes(@TempDir Path dir) {
        Graph exact = new PassManager(Pipelines.exact(), false).run(trace(TestModels.cnn(true))).graph();
        Graph int8 = new WeightQuantization().run(exact).graph();
        Path floats = dir.resolve("exact.nabla");
        Path bytes = dir.resolve("int8.nabla");
        ModelFile.write(floats, exact, Map.of());
        ModelFile.write(bytes, int8, Map.of());
        for (Path file : List.of(floats, bytes)) {
            Graph loaded = ModelFile.read(file).graph();
            Graph original = file == floats ? exact : int8;
            assertEquals(original.toString(), loaded.toString());
            Tensor x = TestModels.input(5, 12);
            assertBitwiseEqual(Interpreter.run(original, x), Predictor.of(loaded).predict(x), file.toString());
        }
        // the stored weights shrink 4x (less their scales); the file also holds the graph, which grows a little
        long floatWeights = exact.constants().stream().filter(c -> c.value().rank() > 1)
                .mapToLong(c -> 4L * c.value().numel()).sum();
        long int8Weights = int8.constants().stream().filter(c -> c.output().name().endsWith(".int8")
                || c.output().name().endsWith(".scale")).mapToLong(c -> (long) c.value().dtype().byteSize()
                * c.value().numel()).sum();
        assertTrue(int8Weights * 3.5 < floatWeights, int8Weights + " bytes of int8 weights for " + floatWeights);
        assertTrue(bytes.toFile().length() < floats.toFile().length());
    }

    @Test
    void theSameGraphGivesTheSameBytes() {
        for (Module model : models()) {
            Graph graph = trace(model);
            assertArrayEquals(ModelFile.toBytes(graph, METADATA), ModelFile.toBytes(graph, METADATA));
            // a second trace of the same model is an equal graph, so equal bytes too
            assertArrayEquals(ModelFile.toBytes(graph, METADATA), ModelFile.toBytes(trace(model), METADATA));
        }
    }

    @Test
    void dataIsAlignedAndTheFileIsPlainSafetensors(@TempDir Path dir) {
        Graph graph = mixedDtypes();
        Path file = dir.resolve("mixed.nabla");
        ModelFile.write(file, graph, METADATA);
        byte[] bytes = ModelFile.toBytes(graph, METADATA);

        assertEquals(0, FileSurgery.dataStart(bytes) % 64, "data section on a 64-byte boundary");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> header = (Map<String, Map<String, Object>>) (Map<?, ?>) FileSurgery.header(bytes);
        int lastSize = 8;
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            int size = TensorBytes.dtype((String) e.getValue().get("dtype")).byteSize();
            long begin = (Long) ((List<?>) e.getValue().get("data_offsets")).get(0);
            assertEquals(0, begin % size, e.getKey() + " starts at a multiple of its element size");
            assertTrue(size <= lastSize, "larger elements first");
            lastSize = size;
        }

        SafeTensors.Content plain = SafeTensors.read(file);
        assertEquals("nabla-model", plain.metadata().get("format"));
        assertEquals("1", plain.metadata().get("format_version"));
        assertEquals("test model", plain.metadata().get("name"));
        assertTrue(plain.metadata().get("graph").startsWith("{\"inputs\":[\"x\"]"), plain.metadata().get("graph"));
        Map<String, Node.Constant> constants = graph.constantsByName();
        assertEquals(constants.keySet(), plain.tensors().keySet());
        for (var e : constants.entrySet()) {
            Tensor expected = e.getValue().value();
            Tensor actual = plain.tensors().get(e.getKey());
            assertEquals(expected.dtype(), actual.dtype(), e.getKey());
            assertArrayEquals(expected.shape(), actual.shape(), e.getKey());
            assertArrayEquals(expected.to(DType.FLOAT64).toDoubleArray(), actual.to(DType.FLOAT64).toDoubleArray(),
                    e.getKey());
        }
        LoadedModel loaded = ModelFile.read(file);
        assertEquals(graph.toString(), loaded.graph().toString());
        Tensor x = Tensor.of(new float[]{1, -2, 3, -4, 5, -6}, 2, 3);
        List<Tensor> expected = Interpreter.run(graph, List.of(x), true);
        List<Tensor> actual = Interpreter.run(loaded.graph(), List.of(x), true);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).to(DType.FLOAT64).toDoubleArray(),
                    actual.get(i).to(DType.FLOAT64).toDoubleArray(), "output " + i);
        }
    }

    /**
     * A graph with constants of every element size, in an order the writer must change (1-byte first), a 0-d and
     * an empty constant: {@code where(mask, x + bias, x)} plus a few constants returned as they are.
     */
    static Graph mixedDtypes() {
        GraphEditor g = GraphEditor.empty();
        Value x = g.input("x", TensorType.batched(DType.FLOAT32, 3));
        Scope layer = new Scope("layer", "Custom");
        Value mask = g.constant("mask", Tensor.of(new boolean[]{true, false, true}), Node.Role.BUFFER, layer);
        Value bias = g.constant("bias", Tensor.of(new float[]{0.5f, -1.5f, 2.25f}), Node.Role.PARAMETER, layer);
        Value scale = g.constant("scale", Tensor.of(new double[]{0.125}).reshape(), Node.Role.CONSTANT, layer);
        Value steps = g.constant("steps", Tensor.of(new long[]{Long.MIN_VALUE, 7, Long.MAX_VALUE}), Node.Role.BUFFER,
                layer);
        Value ids = g.constant("ids", Tensor.of(new int[]{1, 2, 3, 4}, 2, 2), Node.Role.BUFFER, layer);
        Value empty = g.constant("empty", Tensor.of(new float[0]).reshape(0, 4), Node.Role.BUFFER, layer);
        Value sum = g.call(new Op.Binary(BinaryOp.ADD), TensorType.batched(DType.FLOAT32, 3), layer, x, bias);
        Value picked = g.call(new Op.Where(), TensorType.batched(DType.FLOAT32, 3), layer, mask, sum, x);
        g.setOutputs(List.of(picked, scale, steps, ids, empty));
        return g.build();
    }

    @Test
    void nonFiniteAttributesSurviveAsStrings() {
        GraphEditor g = GraphEditor.empty();
        Value x = g.input("x", TensorType.batched(DType.FLOAT32, 3));
        Value padded = g.call(new Op.Pad(new int[]{1, 1}, Double.NEGATIVE_INFINITY),
                TensorType.batched(DType.FLOAT32, 5), Scope.NONE, x);
        Value nan = g.call(new Op.Pad(new int[]{0, 2}, Double.NaN), TensorType.batched(DType.FLOAT32, 7), Scope.NONE,
                padded);
        g.setOutputs(List.of(nan));
        Graph graph = g.build();
        byte[] bytes = ModelFile.toBytes(graph, Map.of());
        assertTrue(FileSurgery.graph(bytes).contains("\"value\":\"-Infinity\""), FileSurgery.graph(bytes));
        LoadedModel loaded = ModelFile.read(Path.of("pad.nabla"), bytes);
        assertEquals(graph.toString(), loaded.graph().toString());
        assertEquals(graph.calls().get(0).op(), loaded.graph().calls().get(0).op());
        float[] out = Interpreter.run(loaded.graph(), Tensor.of(new float[]{1, 2, 3}, 1, 3)).toFloatArray();
        assertEquals(Float.NEGATIVE_INFINITY, out[0]);
        assertTrue(Float.isNaN(out[6]));
    }

    @Test
    void loadedConstantsOutliveTheCallersTensorScope(@TempDir Path dir) {
        Graph graph = trace(TestModels.mlp());
        Path file = dir.resolve("mlp.nabla");
        ModelFile.write(file, graph, Map.of());
        LoadedModel loaded;
        try (var scope = TensorScope.open()) {
            loaded = ModelFile.read(file);
        }
        for (Node.Constant c : loaded.graph().constants()) {
            assertFalse(c.value().isClosed(), c.output().name());
        }
        Tensor x = TestModels.input(3, 5);
        assertBitwiseEqual(Interpreter.run(graph, x), Interpreter.run(loaded.graph(), x), "after the scope closed");
    }

    @Test
    void reservedMetadataKeysAreRefusedWhenWriting() {
        Graph graph = trace(TestModels.mlp());
        for (String key : ModelFile.RESERVED_KEYS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelFile.toBytes(graph, Map.of(key, "x")));
            assertTrue(e.getMessage().contains("'" + key + "' is reserved"), e.getMessage());
        }
    }

    @Test
    void aMissingFileIsAnIoErrorNamingTheFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.nabla");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ModelFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("no such file"), e.getMessage());
    }
}
