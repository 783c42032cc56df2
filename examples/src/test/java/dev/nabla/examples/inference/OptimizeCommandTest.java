package dev.nabla.examples.inference;

import dev.nabla.examples.CliRun;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code nabla optimize} and {@code nabla predict} end to end on the embedded sample: a one-epoch CNN with batch
 * norms is trained once, then slimmed with pruning and int8, exported to ONNX, and run on IDX images.
 */
class OptimizeCommandTest {
    @TempDir
    static Path dir;
    static Path checkpoint;

    @BeforeAll
    static void train() {
        CliRun run = nabla("fashion-cnn", "--bn", "--epochs", "1", "--sample", "--limit-train", "600", "--limit-test",
                "100", "--threads", "2", "--output-dir", dir.resolve("train").toString(), "--progress", "lines");
        assertEquals(0, run.exitCode(), run.all());
        checkpoint = dir.resolve("train/checkpoint.safetensors");
    }

    @Test
    @SuppressWarnings("unchecked")
    void optimizeWritesTheModelAndReportsEveryStage() throws Exception {
        Path out = dir.resolve("slim/model.nabla");
        Path onnx = dir.resolve("onnx");
        CliRun run = nabla("optimize", "--checkpoint", checkpoint.toString(), "--out", out.toString(), "--prune", "0.25",
                "--int8", "--onnx", onnx.toString(),
                "--sample", "--limit-test", "200", "--calibration", "128", "--latency-runs", "10", "--threads", "2");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("stage        params"), run.out());
        assertTrue(run.out().contains("batch-norm folding: folded model.1 (BatchNorm2d) into model.0 (Conv2d)"), run.out());

        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("slim/model.report.json")));
        List<Map<String, Object>> stages = (List<Map<String, Object>>) report.get("stages");
        assertEquals(List.of("eager", "exact", "pruned", "int8"), stages.stream().map(s -> s.get("name")).toList());
        for (Map<String, Object> s : stages) {
            for (String key : List.of("params", "file_bytes", "mflops_per_sample", "test_accuracy", "latency_ms")) {
                assertTrue(s.containsKey(key), s.get("name") + " lacks " + key);
            }
            Map<String, Object> latency = (Map<String, Object>) s.get("latency_ms");
            for (String batch : List.of("batch1", "batch256")) {
                Map<String, Object> l = (Map<String, Object>) latency.get(batch);
                assertTrue(((Number) l.get("p50")).doubleValue() > 0 && ((Number) l.get("p99")).doubleValue()
                        >= ((Number) l.get("p50")).doubleValue(), s.get("name") + " " + batch + ": " + l);
            }
        }
        Map<String, Object> exact = stages.get(1);
        assertTrue(((Number) exact.get("max_rel_diff_vs_eager")).doubleValue() <= 1e-5, exact.toString());
        assertEquals(((Number) stages.get(0).get("test_accuracy")).doubleValue(),
                ((Number) exact.get("test_accuracy")).doubleValue(), 1e-9);
        Map<String, Object> pruned = stages.get(2);
        assertTrue(((Number) pruned.get("params")).longValue() < ((Number) exact.get("params")).longValue());
        assertTrue(((Number) pruned.get("mflops_per_sample")).doubleValue()
                < ((Number) exact.get("mflops_per_sample")).doubleValue());
        Map<String, Object> int8 = stages.get(3);
        assertTrue(((Number) int8.get("file_bytes")).longValue() * 2 < ((Number) exact.get("file_bytes")).longValue());

        // the written file is the last accepted stage; every float stage is an ONNX file
        var loaded = ModelFile.read(out);
        assertEquals(report.get("result_stage"), loaded.metadata().get("nabla.stage"));
        assertTrue(Files.size(onnx.resolve("eager.onnx")) > 0 && Files.size(onnx.resolve("exact.onnx")) > 0);
        assertEquals(Boolean.TRUE.equals(pruned.get("accepted")), Files.exists(onnx.resolve("pruned.onnx")));
        assertFalse(Files.exists(onnx.resolve("int8.onnx")));

        // predict on IDX images written here: [3, 28, 28] bytes
        Path idx = dir.resolve("three.idx3.gz");
        byte[] header = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28};
        try (var gz = new GZIPOutputStream(Files.newOutputStream(idx))) {
            gz.write(header);
            byte[] pixels = new byte[3 * 28 * 28];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) ((i * 37) % 256);
            }
            gz.write(pixels);
        }
        CliRun predict = nabla("predict", "--model", out.toString(), "--input", idx.toString());
        assertEquals(0, predict.exitCode(), predict.all());
        assertEquals(4, predict.out().lines().count(), predict.out());
        assertTrue(predict.out().contains("3 images:"), predict.out());
    }

    @Test
    void userErrorsAreOneLine() throws Exception {
        Path plain = dir.resolve("plain.safetensors");
        dev.nabla.train.Checkpoint.save(plain, new dev.nabla.nn.Linear(2, 2), null, null, 1, 0, Map.of());
        for (String[] args : List.of(
                new String[]{"optimize", "--checkpoint", dir.resolve("missing").toString(), "--out", "x.nabla"},
                new String[]{"optimize", "--checkpoint", checkpoint.toString(), "--out", "x.nabla", "--prune", "1.5"},
                new String[]{"optimize", "--checkpoint", checkpoint.toString(), "--out", "x.nabla", "--fine-tune", "1"},
                new String[]{"optimize", "--checkpoint", checkpoint.toString(), "--out", "x.nabla", "--prune", "0.2",
                        "--accuracy-budget", "0.3"},
                new String[]{"optimize", "--checkpoint", checkpoint.toString(), "--out", "x.nabla", "--criterion", "l2"},
                new String[]{"predict", "--model", checkpoint.toString(), "--input", checkpoint.toString()})) {
            CliRun run = nabla(args);
            assertNotEquals(0, run.exitCode(), String.join(" ", args));
            assertFalse(run.err().contains("\tat "), "a stack trace for " + String.join(" ", args) + ":\n" + run.err());
        }
        CliRun noModel = nabla("optimize", "--checkpoint", plain.toString(), "--out", dir.resolve("x.nabla").toString());
        assertEquals(1, noModel.exitCode(), noModel.all());
        assertTrue(noModel.err().contains("does not record which example model it holds"), noModel.err());
    }
}
