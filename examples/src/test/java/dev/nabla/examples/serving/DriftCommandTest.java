package dev.nabla.examples.serving;

import dev.nabla.data.FashionMnist;
import dev.nabla.data.ImageClassificationData.Split;
import dev.nabla.data.TensorDataset;
import dev.nabla.examples.CliRun;
import dev.nabla.io.Json;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.capture.CaptureStore;
import dev.nabla.serving.capture.InferenceRecord;
import dev.nabla.serving.drift.ReferenceSample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code nabla drift} on the embedded sample: a reference written by the command, a capture store holding 300 test
 * images served as they are to one model and inverted to another, with outputs that predict their labels.
 */
class DriftCommandTest {
    @TempDir
    static Path dir;
    static Path reference;
    static Path store;

    @BeforeAll
    static void referenceAndStore() {
        reference = dir.resolve("fashion/1/" + ReferenceSample.FILE_NAME);
        CliRun run = nabla("drift", "--write-reference", reference.toString(), "--sample", "--reference-size", "1000",
                "--threads", "2");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("Wrote " + reference + ": 1,000 of 6,000 training images"), run.out());

        store = dir.resolve("capture.db");
        TensorDataset test = FashionMnist.sample(Split.TEST).dataset();
        float[] images = test.inputs().toFloatArray();
        long[] labels = test.targets().toLongArray();
        try (CaptureStore capture = CaptureStore.open(CaptureConfig.sqlite(store))) {
            for (int i = 0; i < 300; i++) {
                float[] x = new float[784];
                float[] inverted = new float[784];
                for (int p = 0; p < 784; p++) {
                    x[p] = images[i * 784 + p];
                    inverted[p] = 1 - x[p];
                }
                float[] y = new float[10];
                y[(int) labels[i]] = 1;
                capture.offer(new InferenceRecord("s" + i, "fashion", "1", 1_000 + i, new int[]{1, 1, 28, 28}, x,
                        new int[]{1, 10}, y));
                capture.offer(new InferenceRecord("i" + i, "inverted", "1", 1_000 + i, new int[]{1, 1, 28, 28},
                        inverted, new int[]{1, 10}, y));
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSteadyModelHasNoDriftAndTheReportIsWrittenAsJson() throws Exception {
        Path json = dir.resolve("steady.json");
        CliRun run = nabla("drift", "--store", store.toString(), "--model", "fashion", "--reference",
                reference.toString(), "--window", "300", "--json", json.toString(), "--fail-on-alarm");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("Drift of model 'fashion': 300 served samples against 1000 reference samples"),
                run.out());
        assertTrue(run.out().contains("inputs (KS)") && run.out().contains("classes (chi2)"), run.out());
        assertTrue(run.out().contains("Drift: none detected"), run.out());
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(json));
        assertEquals(false, report.get("alarm"));
        assertEquals(300L, report.get("window_samples"));
        Map<String, Object> inputs = (Map<String, Object>) report.get("inputs");
        assertEquals(0L, inputs.get("features_rejected"));
        Map<String, Object> classes = (Map<String, Object>) report.get("predicted_classes");
        assertTrue(((Number) classes.get("p_value")).doubleValue() > 0.01, classes.toString());
    }

    @Test
    void invertedInputsAlarm() {
        CliRun run = nabla("drift", "--store", "jdbc:sqlite:" + store, "--model", "inverted", "--reference",
                reference.toString(), "--model-version", "1", "--fail-on-alarm");
        assertEquals(DriftCommand.ALARM_EXIT_CODE, run.exitCode(), run.all());
        assertTrue(run.out().contains("784 of 784 features differ"), run.out());
        assertTrue(run.out().contains("Drift: ALARM"), run.out());
        assertEquals(0, nabla("drift", "--store", store.toString(), "--model", "inverted", "--reference",
                reference.toString()).exitCode(), "without --fail-on-alarm an alarm is a result, not an error");
    }

    @Test
    void mistakesAreOneLine() {
        assertOneLine(nabla("drift", "--store", dir.resolve("none.db").toString(), "--model", "fashion",
                "--reference", reference.toString()), 1, "no such capture store");
        assertOneLine(nabla("drift", "--store", store.toString(), "--model", "shoes", "--reference",
                reference.toString()), 1, "--model shoes: no captured samples in " + store + "; it has fashion, inverted");
        assertOneLine(nabla("drift", "--store", store.toString(), "--model", "fashion", "--reference",
                dir.resolve("missing.safetensors").toString()), 1, "missing.safetensors: no such file");
        assertOneLine(nabla("drift", "--store", store.toString(), "--model", "fashion", "--reference",
                store.toString()), 1, "nabla drift: " + store);
        assertOneLine(nabla("drift", "--store", store.toString(), "--model", "fashion"), 2,
                "missing --reference (or use --write-reference FILE)");
        assertOneLine(nabla("drift", "--store", store.toString(), "--model", "fashion", "--reference",
                reference.toString(), "--alpha", "2", "--window", "1"), 2,
                "--window must be at least 2, found 1; --alpha must be between 0 and 1, found 2.0");
        assertOneLine(nabla("drift", "--write-reference", dir.resolve("r.safetensors").toString(), "--store",
                store.toString()), 2, "cannot be combined with it");
        assertFalse(Files.exists(dir.resolve("r.safetensors")));
    }

    @Test
    void helpListsTheOptions() {
        CliRun help = nabla("drift", "--help");
        assertEquals(0, help.exitCode(), help.all());
        for (String option : new String[]{"-hV", "--store", "--model", "--model-version", "--reference", "--window",
                "--alpha", "--json", "--fail-on-alarm", "--write-reference", "--predictions-of", "--sample",
                "--verbose"}) {
            assertTrue(help.out().contains(option), option + " not in\n" + help.out());
        }
        assertEquals(help.out(), nabla("help", "drift").out());
    }

    private static void assertOneLine(CliRun run, int exitCode, String expected) {
        assertEquals(exitCode, run.exitCode(), run.all());
        assertEquals(1, run.err().lines().count(), "not one line:\n" + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }
}
