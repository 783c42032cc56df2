package dev.nabla.serving.drift;

import dev.nabla.data.TensorDataset;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.capture.CaptureStore;
import dev.nabla.serving.capture.InferenceRecord;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor end to end: test images served to two models through the capture store, one model's images inverted;
 * the registry's text exposition shows the drift gauges and the alarm for that model only.
 */
class DriftMonitorTest {
    @TempDir
    Path dir;

    /** Serves test images {@code [from, to)}, {@code perRequest} per request, with one-hot outputs of their labels. */
    private static void serve(CaptureStore store, String model, int from, int to, int perRequest,
                              UnaryOperator<float[]> drift) {
        TensorDataset test = FashionSample.test();
        List<float[]> images = FashionSample.images(test, from, to);
        int[] labels = FashionSample.labels(test, from, to);
        for (int start = 0; start < images.size(); start += perRequest) {
            int n = Math.min(perRequest, images.size() - start);
            float[] input = new float[n * 784];
            float[] output = new float[n * 10];
            for (int i = 0; i < n; i++) {
                System.arraycopy(drift.apply(images.get(start + i)), 0, input, i * 784, 784);
                output[i * 10 + labels[start + i]] = 5f;
            }
            store.offer(new InferenceRecord(model + "-" + (from + start), model, "1", 1_000L + from + start,
                    new int[]{n, 1, 28, 28}, input, new int[]{n, 10}, output));
        }
    }

    @Test
    void gaugesShowTheAlarmOfTheDriftedModelOnly() throws Exception {
        ReferenceSample reference = ReferenceSample.fromDataset(FashionSample.train(), 10, 2_000, 3);
        PrometheusRegistry registry = new PrometheusRegistry();
        try (CaptureStore store = CaptureStore.open(CaptureConfig.sqlite(dir.resolve("capture.db")))) {
            serve(store, "steady", 0, 300, 4, UnaryOperator.identity());
            serve(store, "inverted", 300, 600, 3, Drifts.inversion());
            serve(store, "quiet", 600, 650, 1, UnaryOperator.identity());
            store.flush();
            List<DriftMonitor.Target> targets = new ArrayList<>(List.of(
                    new DriftMonitor.Target("steady", "1", reference),
                    new DriftMonitor.Target("inverted", null, reference),
                    new DriftMonitor.Target("quiet", "1", reference)));
            try (DriftMonitor monitor = new DriftMonitor(store.reader(), () -> targets,
                    DriftConfig.DEFAULT.withWindow(250), Duration.ofMinutes(1)).register(registry)) {
                String text = scrape(registry);
                assertEquals(250, value(text, "nabla_drift_window_samples{model=\"steady\"}"));
                assertEquals(50, value(text, "nabla_drift_window_samples{model=\"quiet\"}"));
                assertEquals(0, value(text, "nabla_drift_alarm{model=\"steady\",test=\"any\"}"));
                assertEquals(0, value(text, "nabla_drift_alarm{model=\"steady\",test=\"chi2\"}"));
                assertEquals(1, value(text, "nabla_drift_alarm{model=\"inverted\",test=\"ks\"}"));
                assertEquals(0, value(text, "nabla_drift_alarm{model=\"inverted\",test=\"chi2\"}"));
                assertEquals(0, value(text, "nabla_drift_alarm{model=\"quiet\",test=\"any\"}"));
                assertFalse(text.contains("nabla_drift_alarm{model=\"quiet\",test=\"ks\"}"), "50 samples: not tested");
                assertTrue(value(text, "nabla_drift_ks_rejected_features{model=\"inverted\"}") > 700);
                assertEquals(0, value(text, "nabla_drift_ks_rejected_features{model=\"steady\"}"));
                assertTrue(value(text, "nabla_drift_ks_min_p_value{model=\"steady\"}") > 0);
                assertTrue(value(text, "nabla_drift_ks_adjusted_p_value{model=\"steady\"}") > 0.01);
                assertTrue(value(text, "nabla_drift_chi2_p_value{model=\"steady\"}") > 0.01);
                assertTrue(value(text, "nabla_drift_chi2_statistic{model=\"inverted\"}") > 0);
                assertTrue(value(text, "nabla_drift_ks_max_statistic{model=\"inverted\"}") > 0.5);
                assertTrue(value(text, "nabla_drift_computed_timestamp_seconds{model=\"steady\"}") > 1e9);
                assertEquals(0.01, value(text, "nabla_drift_alpha"));
                assertEquals(0, value(text, "nabla_drift_failures_total"));

                // Reports are reused within their maximum age, so one scrape computes them once.
                Map<String, DriftReport> first = monitor.reports();
                assertSame(first, monitor.reports());
                assertNotNull(first.get("inverted"));
                assertTrue(first.get("inverted").alarm());

                // A reference that does not fit the model's inputs: no report for it, a failure counted.
                targets.add(new DriftMonitor.Target("steady-wrong-reference", null, ReferenceSample.of(new int[]{3},
                        new float[30], new long[]{5, 5}, ReferenceSample.ClassSource.LABELS, Map.of())));
                serve(store, "steady-wrong-reference", 0, 120, 4, UnaryOperator.identity());
                store.flush();
                monitor.refresh();
                text = scrape(registry);
                assertEquals(1, value(text, "nabla_drift_failures_total"));
                assertFalse(text.contains("model=\"steady-wrong-reference\""), text);
            }
            assertFalse(scrape(registry).contains("nabla_drift"), "closing the monitor unregisters its gauges");
        }
    }

    static String scrape(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), null);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), "no " + series + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
