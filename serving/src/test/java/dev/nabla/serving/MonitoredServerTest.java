package dev.nabla.serving;

import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.capture.InferenceRecord;
import dev.nabla.serving.drift.DriftConfig;
import dev.nabla.serving.drift.ReferenceSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drift monitoring follows the served version's reference: none without one, and one written later is picked up. */
class MonitoredServerTest {
    @TempDir
    Path repository;

    @Test
    void aReferenceWrittenAfterTheStartIsPickedUp() throws Exception {
        Path version = TestModels.publish(repository, "cnn", 1, TestModels.modelBytes(TestModels.cnn(1)));
        try (MonitoredServer server = MonitoredServer.start(InferenceServer.builder().repository(repository)
                        .host("127.0.0.1").port(0).pollInterval(Duration.ZERO),
                CaptureConfig.sqlite(repository.resolve("capture.db")), new DriftConfig(100, 20, 0.01), Duration.ZERO)) {
            float[] images = TestModels.images(40, 3);
            for (int i = 0; i < 40; i++) {
                float[] x = new float[TestModels.SAMPLE_SIZE];
                System.arraycopy(images, i * x.length, x, 0, x.length);
                server.capture().offer(new InferenceRecord("r" + i, "cnn", "1", 1_000 + i,
                        new int[]{1, 1, 8, 8}, x, new int[]{1, TestModels.CLASSES}, new float[TestModels.CLASSES]));
            }
            server.capture().flush();
            assertTrue(server.drift().refresh().isEmpty(), "no reference, no drift report");

            Files.write(version.resolve(ReferenceSample.FILE_NAME), new byte[]{1, 2, 3}); // damaged: skipped, logged
            assertTrue(server.drift().refresh().isEmpty());

            ReferenceSample.of(TestModels.SAMPLE_SHAPE, TestModels.images(60, 4), new long[]{6, 6, 6, 6, 6, 6, 6, 6, 6, 6},
                    ReferenceSample.ClassSource.LABELS, Map.of()).write(version.resolve(ReferenceSample.FILE_NAME));
            var reports = server.drift().refresh();
            assertEquals(1, reports.size(), "the fixed reference is read at the next computation");
            assertEquals(40, reports.get("cnn").windowSize());
        }
    }
}
