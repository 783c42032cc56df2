package dev.nabla.examples.lifecycle;

import dev.nabla.examples.CliRun;
import dev.nabla.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loop, small: a CNN trained one epoch on 2,000 sample images, served over real HTTP with capture, 50
 * clean and 150 contrast-drifted images with feedback, a one-epoch retraining, the hot reload, 50 more drifted images.
 */
class LifecycleCommandTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void runsTheWholeLoopAndReportsIt() throws Exception {
        CliRun run = nabla("lifecycle", "--sample", "--epochs", "1", "--limit-train", "2000", "--clean", "50",
                "--drifted", "150", "--after", "50", "--retrain-epochs", "1", "--threads", "2", "--output-dir",
                dir.toString());
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("DRIFT ALARM"), "contrast drift over 150 images is found:\n" + run.out());
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("report.json")));
        List<Map<String, Object>> phases = (List<Map<String, Object>>) report.get("phases");
        assertEquals(List.of("clean", "contrast drift", "contrast drift, after retraining"),
                phases.stream().map(p -> p.get("phase")).toList());
        assertEquals(1L, phases.get(0).get("version"));
        Map<String, Object> clean = (Map<String, Object>) phases.get(0).get("drift");
        Map<String, Object> drifted = (Map<String, Object>) phases.get(1).get("drift");
        assertEquals(Boolean.FALSE, clean.get("alarm"), "no alarm on clean images: " + clean);
        assertEquals(Boolean.TRUE, drifted.get("alarm"), drifted.toString());
        Map<String, Object> retraining = (Map<String, Object>) report.get("retraining");
        boolean promoted = (Boolean) retraining.get("promoted");
        assertEquals(promoted ? 2L : 1L, phases.get(2).get("version"), "the promoted version serves the last phase");
        assertTrue(Files.size(dir.resolve("lifecycle.png")) > 1000);
        assertTrue(Files.readString(dir.resolve("lifecycle.log")).contains("$ nabla optimize"));
        assertTrue(Files.isRegularFile(dir.resolve("repository/capture.db")));
    }

    @Test
    void badOptionsAreOneLine() {
        CliRun run = nabla("lifecycle", "--drift", "rotate", "--output-dir", dir.toString());
        assertEquals(2, run.exitCode(), run.all());
        assertTrue(run.err().contains("expected contrast, invert or shift, found 'rotate'"), run.err());
    }
}
