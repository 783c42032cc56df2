package dev.nabla.serving.drift;

import dev.nabla.Tensor;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.SafeTensors;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReferenceSampleTest {
    @TempDir
    Path dir;

    @Test
    void aSeededSampleOfTheTrainingDataWithItsLabelCounts() {
        TensorDataset train = FashionSample.train();
        ReferenceSample a = ReferenceSample.fromDataset(train, 10, 1_000, 7);
        ReferenceSample b = ReferenceSample.fromDataset(train, 10, 1_000, 7);
        ReferenceSample c = ReferenceSample.fromDataset(train, 10, 1_000, 8);
        assertEquals(1_000, a.size());
        assertEquals(784, a.features());
        assertArrayEquals(new int[]{1, 28, 28}, a.sampleShape());
        assertEquals(6_000, Arrays.stream(a.classCounts()).sum());
        assertTrue(Arrays.stream(a.classCounts()).allMatch(n -> n > 400), Arrays.toString(a.classCounts()));
        assertEquals(ReferenceSample.ClassSource.LABELS, a.classSource());
        assertArrayEquals(a.sample(999), b.sample(999));
        assertFalse(Arrays.equals(a.sample(0), c.sample(0)) && Arrays.equals(a.sample(500), c.sample(500)));
        assertEquals("7", a.metadata().get("seed"));
        // a dataset smaller than the size asked for is taken whole
        assertEquals(100, ReferenceSample.fromDataset(train.head(100), 10, 1_000, 7).size());
    }

    @Test
    void classCountsFromAModelsPredictions() {
        TensorDataset test = FashionSample.test();
        Module net = new Sequential(new Flatten(), new Linear(784, 10));
        try (Predictor model = Predictor.of(GraphCapture.trace(net, test.inputs().narrow(0, 0, 2)))) {
            ReferenceSample ref = ReferenceSample.fromDataset(test, 10, 200, 1).withPredictions(model, test);
            assertEquals(ReferenceSample.ClassSource.PREDICTIONS, ref.classSource());
            long[] expected = new long[10];
            for (long c : model.predict(test.inputs()).argmax(1, false).toLongArray()) {
                expected[(int) c]++;
            }
            assertArrayEquals(expected, ref.classCounts());
            assertEquals(200, ref.size());
        }
    }

    @Test
    void writtenAndReadBackNextToTheModel() {
        ReferenceSample ref = ReferenceSample.fromDataset(FashionSample.test(), 10, 300, 1)
                .withMetadata(Map.of("dataset", "Fashion-MNIST test (sample)"));
        Path version = dir.resolve("fashion/3");
        ref.write(version.resolve(ReferenceSample.FILE_NAME));
        ReferenceSample read = ReferenceSample.forVersion(version).orElseThrow();
        assertEquals(300, read.size());
        assertArrayEquals(ref.sampleShape(), read.sampleShape());
        assertArrayEquals(ref.classCounts(), read.classCounts());
        assertArrayEquals(ref.sample(123), read.sample(123));
        assertEquals(ReferenceSample.ClassSource.LABELS, read.classSource());
        assertEquals("Fashion-MNIST test (sample)", read.metadata().get("dataset"));
        assertTrue(ReferenceSample.forVersion(dir.resolve("fashion/4")).isEmpty());

        ReferenceSample predicted = read.withClassCounts(new long[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                ReferenceSample.ClassSource.PREDICTIONS);
        Path file = dir.resolve("predicted.safetensors");
        predicted.write(file);
        assertEquals(ReferenceSample.ClassSource.PREDICTIONS, ReferenceSample.read(file).classSource());
        assertEquals(10, ReferenceSample.read(file).classCounts()[9]);
    }

    @Test
    void filesThatAreNotReferencesAreRefusedWithTheirProblem() throws Exception {
        Map<String, String> meta = new LinkedHashMap<>(Map.of("format", ReferenceSample.FORMAT, "format_version", "1",
                "class_source", "labels"));
        Tensor inputs = Tensor.of(new float[8], 2, 4);
        Tensor counts = Tensor.of(new long[]{1, 1}, 2);

        expect("expected a drift reference (format 'nabla-drift-reference'), found no format",
                Map.of("inputs", inputs, "class_counts", counts), Map.of());
        Map<String, String> newer = new LinkedHashMap<>(meta);
        newer.put("format_version", "2");
        expect("drift reference format version 2; this version of Nabla reads version 1",
                Map.of("inputs", inputs, "class_counts", counts), newer);
        Map<String, String> source = new LinkedHashMap<>(meta);
        source.put("class_source", "guesses");
        expect("expected class_source 'labels' or 'predictions', found 'guesses'",
                Map.of("inputs", inputs, "class_counts", counts), source);
        expect("expected tensor 'inputs' F32 [n >= 1, sample shape...], found none",
                Map.of("class_counts", counts), meta);
        expect("expected tensor 'class_counts' I64 [classes], found FLOAT32 [2]",
                Map.of("inputs", inputs, "class_counts", Tensor.of(new float[2], 2)), meta);
        expect("class counts must not be negative", Map.of("inputs", inputs, "class_counts",
                Tensor.of(new long[]{3, -1}, 2)), meta);
        expect("expected class counts of at least 2 classes, found 1", Map.of("inputs", inputs, "class_counts",
                Tensor.of(new long[]{3}, 1)), meta);

        Path truncated = dir.resolve("truncated.safetensors");
        ReferenceSample.of(new int[]{4}, new float[8], new long[]{1, 1}, ReferenceSample.ClassSource.LABELS, Map.of())
                .write(truncated);
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
        assertThrows(FileFormatException.class, () -> ReferenceSample.read(truncated));
    }

    private void expect(String problem, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Path file = dir.resolve("bad.safetensors");
        SafeTensors.write(file, tensors, metadata);
        FileFormatException e = assertThrows(FileFormatException.class, () -> ReferenceSample.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(problem), e.getMessage());
    }
}
