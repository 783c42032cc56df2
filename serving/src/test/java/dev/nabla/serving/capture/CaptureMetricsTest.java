package dev.nabla.serving.capture;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureMetricsTest {
    @TempDir
    Path dir;

    static String scrape(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countsAppearInTheTextExposition() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (CaptureStore store = CaptureStore.open(CaptureConfig.sqlite(dir.resolve("capture.db")));
             CaptureMetrics metrics = CaptureMetrics.register(store, registry)) {
            store.offer(Records.of("fashion", "a", 2));
            store.offer(Records.of("fashion", "b", 1));
            store.offer(Records.of("fashion", "b", 1));
            store.flush();
            store.attachLabels("fashion", "a", new long[]{1, 2});
            String text = scrape(registry);
            for (String line : new String[]{"nabla_capture_offered_total 3.0", "nabla_capture_records_total 2.0",
                    "nabla_capture_samples_total 3.0", "nabla_capture_dropped_total{reason=\"duplicate\"} 1.0",
                    "nabla_capture_dropped_total{reason=\"queue_full\"} 0.0", "nabla_capture_queue_records 0.0",
                    "nabla_capture_feedback_total{result=\"attached\"} 1.0", "nabla_capture_feedback_labels_total 2.0",
                    "# TYPE nabla_capture_dropped_total counter"}) {
                assertTrue(text.contains(line), "missing '" + line + "' in\n" + text);
            }
        }
        assertFalse(scrape(registry).contains("nabla_capture"), "closing the metrics unregisters them");
    }
}
