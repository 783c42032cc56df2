package dev.nabla.examples.fashion;

import dev.nabla.data.ImageClassificationData.Split;
import dev.nabla.data.TensorDataset;
import dev.nabla.examples.CliRun;
import dev.nabla.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Smoke tests: each command trains one epoch on 300 examples and tests on 100, through the same
 * entry point as the command line. Data comes from the normal lookup (the full dataset where it is
 * installed, else the embedded sample); one test forces the embedded sample.
 */
class FashionCommandsTest {
    @TempDir
    Path temp;

    private Map<String, Object> smoke(String command, long expectedParams, String... flags) throws Exception {
        Path outputDir = temp.resolve("out");
        Path reportFile = temp.resolve("reports/report.json");
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(Arrays.asList(flags));
        args.addAll(List.of("--epochs", "1", "--limit-train", "300", "--limit-test", "100", "--threads", "2",
                "--output-dir", outputDir.toString(), "--report", reportFile.toString(), "--progress", "auto"));
        CliRun run = nabla(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.all());

        for (String file : new String[]{"checkpoint.safetensors", "history.json", "history.csv", "history.png",
                "report.json"}) {
            Path p = outputDir.resolve(file);
            assertTrue(Files.isRegularFile(p) && Files.size(p) > 0, file + " missing or empty in " + outputDir);
        }
        byte[] png = Files.readAllBytes(outputDir.resolve("history.png"));
        assertEquals((byte) 0x89, png[0], "history.png is not a PNG");
        assertEquals("PNG", new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(2, Files.readAllLines(outputDir.resolve("history.csv")).size(), "header + one epoch");

        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(reportFile));
        assertEquals(Files.readString(reportFile), Files.readString(outputDir.resolve("report.json")));
        for (String key : new String[]{"model", "epochs", "batch_size", "train_samples", "test_accuracy",
                "epoch_seconds", "params", "data_source", "test_loss", "train_loss", "device", "threads",
                "java_version", "simd"}) {
            assertTrue(report.containsKey(key), "report lacks '" + key + "': " + report);
        }
        assertEquals(1, ((Number) report.get("epochs")).intValue());
        assertEquals(128, ((Number) report.get("batch_size")).intValue());
        assertEquals(300, ((Number) report.get("train_samples")).intValue());
        assertEquals(100, ((Number) report.get("test_samples")).intValue());
        assertEquals(expectedParams, ((Number) report.get("params")).longValue());
        assertEquals(2, ((Number) report.get("threads")).intValue());
        assertEquals("cpu", report.get("device"));
        assertEquals(Boolean.TRUE, report.get("simd"), "tests run with jdk.incubator.vector");
        double accuracy = ((Number) report.get("test_accuracy")).doubleValue();
        assertTrue(accuracy >= 0 && accuracy <= 1, "test_accuracy " + accuracy);
        List<?> seconds = (List<?>) report.get("epoch_seconds");
        assertEquals(1, seconds.size());
        assertTrue(((Number) seconds.get(0)).doubleValue() > 0);
        assertTrue(Double.isFinite(((Number) ((List<?>) report.get("train_loss")).get(0)).doubleValue()));
        assertFalse(((String) report.get("data_source")).isBlank());
        // the memory fields: pause time within the run, one pause figure per epoch, a heap in use
        double pauses = ((Number) report.get("gc_pause_seconds")).doubleValue();
        double total = ((Number) report.get("total_seconds")).doubleValue();
        assertTrue(pauses >= 0 && pauses <= total, "gc_pause_seconds " + pauses + " of " + total);
        assertEquals(pauses / total, ((Number) report.get("gc_pause_share")).doubleValue(), 1e-12);
        assertTrue(((Number) report.get("gc_pauses")).longValue() >= 0);
        assertEquals(1, ((List<?>) report.get("gc_pause_seconds_per_epoch")).size());
        double peak = ((Number) report.get("heap_peak_mb")).doubleValue();
        assertTrue(peak > 0, "heap_peak_mb " + peak);
        assertTrue(((Number) report.get("heap_max_mb")).doubleValue() > 0);
        assertTrue(((Number) report.get("heap_after_gc_mb")).doubleValue() >= 0);

        assertTrue(run.out().contains("Data: Fashion-MNIST from " + report.get("data_source")), run.out());
        assertTrue(run.out().contains("epoch 1/1  train loss "), run.out());
        assertTrue(run.out().contains("Outputs in " + outputDir.toAbsolutePath().normalize()), run.out());
        assertEquals(Boolean.TRUE.equals(report.get("data_is_sample")),
                run.out().contains("accuracy will be lower than on the full data"), run.out());
        return report;
    }

    @Test
    void fashionMlp() throws Exception {
        Map<String, Object> report = smoke("fashion-mlp", 235_146);
        assertEquals("fashion-mlp", report.get("model"));
        assertEquals("cosine", report.get("lr_schedule"));
    }

    @Test
    void fashionCnn() throws Exception {
        Map<String, Object> report = smoke("fashion-cnn", 421_642, "--schedule", "constant");
        assertEquals("fashion-cnn", report.get("model"));
        assertEquals("constant", report.get("lr_schedule"));
        assertEquals(Boolean.FALSE, report.get("batch_norm"));
        assertEquals(Boolean.FALSE, report.get("augment"));
    }

    @Test
    void fashionCnnWithBatchNormAndAugmentation() throws Exception {
        // BatchNorm adds 2 x (32 + 64 + 128) weights and biases.
        Map<String, Object> report = smoke("fashion-cnn", 421_642 + 448, "--bn", "--augment");
        assertEquals("fashion-cnn-bn-augment", report.get("model"));
        assertEquals(Boolean.TRUE, report.get("batch_norm"));
        assertEquals(Boolean.TRUE, report.get("augment"));
    }

    @Test
    void embeddedSampleRunsAndSaysAccuracyWillBeLower() throws Exception {
        Map<String, Object> report = smoke("fashion-mlp", 235_146, "--sample");
        assertEquals(Boolean.TRUE, report.get("data_is_sample"));
        assertTrue(((String) report.get("data_source")).startsWith("embedded sample"), report.toString());
    }

    @Test
    void embeddedSampleHoldsTenPercentOfFashionMnistInBalancedClasses() {
        checkSample(FashionData.sample(Split.TRAIN).dataset(), 6000);
        checkSample(FashionData.sample(Split.TEST).dataset(), 1000);
    }

    private static void checkSample(TensorDataset data, int expected) {
        assertEquals(expected, data.size());
        assertArrayEquals(new int[]{expected, 1, 28, 28}, data.inputs().shape());
        assertTrue(data.inputs().min().item() >= 0 && data.inputs().max().item() <= 1, "pixels must be in [0, 1]");
        long[] labels = data.targets().toLongArray();
        int[] perClass = new int[10];
        for (long label : labels) {
            assertTrue(label >= 0 && label < 10, "label " + label);
            perClass[(int) label]++;
        }
        for (int count : perClass) {
            assertTrue(count > expected * 0.08 && count < expected * 0.12, "unbalanced classes " + Arrays.toString(perClass));
        }
    }

    private static void assertArrayEquals(int[] expected, int[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, Arrays.toString(actual));
    }

    @Test
    void helpListsTheCommands() {
        CliRun run = nabla("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("fashion-mlp") && run.out().contains("fashion-cnn"), run.out());
        CliRun cnn = nabla("help", "fashion-cnn");
        for (String option : new String[]{"--epochs", "--batch-size", "--lr", "--seed", "--threads", "--device",
                "--data-dir", "--output-dir", "--limit-train", "--limit-test", "--report", "--schedule", "--bn",
                "--augment", "--resume", "--verbose"}) {
            assertTrue(cnn.out().contains(option), option + " missing from\n" + cnn.out());
        }
    }

    @Test
    void negativeEpochsAreRefusedNotReplacedByTheDefault() {
        for (String command : new String[]{"fashion-mlp", "fashion-cnn"}) {
            for (String epochs : new String[]{"-3", "-1", "0"}) {
                // small data, so that a regression that trains anyway ends soon and fails on the exit code
                CliRun run = nabla(command, "--epochs", epochs, "--sample", "--limit-train", "10", "--limit-test", "10",
                        "--threads", "2", "--output-dir", temp.resolve("o").toString());
                assertEquals(2, run.exitCode(), command + " --epochs " + epochs + ": " + run.all());
                assertTrue(run.err().contains("--epochs must be positive, found " + epochs), run.err());
                assertFalse(run.out().contains("Training "), run.out());
            }
        }
    }

    @Test
    void threadsOutsideZeroTo1024AreRefusedBeforeTraining() {
        for (String threads : new String[]{"100000", "1025", "-1"}) {
            CliRun run = nabla("fashion-mlp", "--threads", threads, "--epochs", "1", "--sample", "--limit-train", "10",
                    "--limit-test", "10", "--output-dir", temp.resolve("o").toString());
            assertEquals(2, run.exitCode(), "--threads " + threads + ": " + run.all());
            assertTrue(run.err().contains("--threads must be 0 (all processors) to 1024, found " + threads), run.err());
        }
        CliRun optimize = nabla("optimize", "--checkpoint", temp.resolve("none").toString(), "--out",
                temp.resolve("x.nabla").toString(), "--threads", "100000");
        assertEquals(2, optimize.exitCode(), optimize.all());
        assertTrue(optimize.err().contains("--threads must be 0 (all processors) to 1024, found 100000"), optimize.err());
    }

    @Test
    void badOptionsFailWithAMessageAndNoStackTrace() {
        CliRun epochs = nabla("fashion-mlp", "--epochs", "0");
        assertEquals(2, epochs.exitCode(), epochs.all());
        assertTrue(epochs.err().contains("--epochs must be positive"), epochs.err());

        CliRun schedule = nabla("fashion-mlp", "--schedule", "triangle");
        assertEquals(2, schedule.exitCode(), schedule.all());
        assertTrue(schedule.err().contains("expected cosine or constant, found 'triangle'"), schedule.err());
        CliRun progress = nabla("fashion-mlp", "--progress", "dots");
        assertEquals(2, progress.exitCode(), progress.all());
        assertTrue(progress.err().contains("expected auto, bar or lines, found 'dots'"), progress.err());

        CliRun missing = nabla("fashion-mlp", "--data-dir", temp.resolve("nowhere").toString(), "--output-dir",
                temp.resolve("o").toString());
        assertEquals(1, missing.exitCode(), missing.all());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().startsWith("nabla fashion-mlp: ") && missing.err().contains("nowhere: no such directory"),
                missing.err());
        assertFalse(missing.err().contains("\tat "), missing.err());

        CliRun device = nabla("fashion-mlp", "--device", "tpu", "--output-dir", temp.resolve("o").toString());
        assertEquals(1, device.exitCode(), device.all());
        assertTrue(device.err().contains("'tpu' is not available here: no backend for it"), device.err());
        // a known backend that cannot run here: one line with that backend's own reason
        CliRun cuda = nabla("fashion-mlp", "--device", "cuda", "--output-dir", temp.resolve("o").toString());
        assertEquals(1, cuda.exitCode(), cuda.all());
        assertEquals(1, cuda.err().lines().count(), cuda.err());
        assertTrue(cuda.err().contains("'cuda' is not available here: CUDA unavailable: "), cuda.err());
        assertFalse(cuda.err().contains("cpu "), "names only the backend asked for: " + cuda.err());
    }
}
