package dev.nabla.examples.lifecycle;

import dev.nabla.data.FashionMnist;
import dev.nabla.data.ImageClassificationData.Split;
import dev.nabla.data.TensorDataset;
import dev.nabla.examples.CliRun;
import dev.nabla.examples.UsageException;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.io.Json;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.capture.CaptureReader;
import dev.nabla.serving.capture.CaptureStore;
import dev.nabla.serving.capture.InferenceRecord;
import dev.nabla.serving.capture.PayloadSink;
import dev.nabla.serving.drift.ReferenceSample;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retraining on the embedded sample: a CNN trained one epoch on 1,000 images and slimmed (exact + int8) is version 1;
 * 300 contrast-drifted test images with their labels are its captured requests. Retraining publishes version 2
 * exactly when it beats version 1 on the newest labelled requests, with everything the next turn needs.
 */
class RetrainingTest {
    static final String MODEL = "fashion-cnn";

    @TempDir
    static Path dir;
    static Path repository;
    static TensorDataset train;

    @BeforeAll
    static void versionOne() {
        CliRun trained = nabla("fashion-cnn", "--sample", "--epochs", "1", "--limit-train", "1000", "--threads", "2",
                "--output-dir", dir.resolve("train").toString(), "--progress", "lines");
        assertEquals(0, trained.exitCode(), trained.all());
        CliRun slimmed = nabla("optimize", "--checkpoint", dir.resolve("train/checkpoint.safetensors").toString(),
                "--out", dir.resolve("model.nabla").toString(), "--int8", "--sample", "--limit-test", "200",
                "--latency-runs", "10", "--threads", "2");
        assertEquals(0, slimmed.exitCode(), slimmed.all());
        repository = dir.resolve("repository");
        train = FashionMnist.sample(Split.TRAIN).dataset();
    }

    private static Path publishVersionOne(String name) {
        Path repo = dir.resolve(name);
        ModelVersions.publish(repo, MODEL, Map.of(ModelVersions.MODEL, dir.resolve("model.nabla"),
                ModelVersions.CHECKPOINT, dir.resolve("train/checkpoint.safetensors")));
        return repo;
    }

    /** {@code count} contrast-drifted test images captured as served by version 1, with their labels. */
    private static void capture(Path store, int count) {
        TensorDataset test = FashionMnist.sample(Split.TEST).dataset();
        float[] images = test.inputs().toFloatArray();
        long[] labels = test.targets().toLongArray();
        try (CaptureStore capture = CaptureStore.open(CaptureConfig.sqlite(store))) {
            for (int i = 0; i < count; i++) {
                float[] x = new float[784];
                System.arraycopy(images, i * 784, x, 0, 784);
                x = Drifts.CONTRAST.apply(x, 28);
                capture.offer(new InferenceRecord("r" + i, MODEL, "1", 1_000 + i, new int[]{1, 1, 28, 28}, x,
                        new int[]{1, 10}, new float[10]));
                assertEquals(PayloadSink.FeedbackResult.ATTACHED,
                        capture.attachLabels(MODEL, "r" + i, new long[]{labels[i]}));
            }
        }
    }

    @Test
    void publishesTheRetrainedModelOnlyWhenItBeatsTheServingOne() throws java.io.IOException {
        Path repo = publishVersionOne("promote");
        Path store = dir.resolve("promote.db");
        capture(store, 300);
        List<String> log = new ArrayList<>();
        Retraining.Outcome outcome;
        try (CaptureReader reader = CaptureReader.open(store.toString())) {
            outcome = new Retraining(repo, MODEL, Retraining.Settings.defaults().withEpochs(1), log::add)
                    .run(reader, train.head(2000));
        }
        assertEquals(1, outcome.servingVersion());
        assertEquals(90, outcome.heldOutRequests(), "the newest 30% of 300");
        assertEquals(210, outcome.fineTuneRequests());
        assertEquals(outcome.candidateAccuracy() > outcome.servingAccuracy(), outcome.promoted(), log.toString());
        assertTrue(outcome.promoted(), "300 labelled drifted images should teach a 1-epoch model something: " + log);
        Path v2 = ModelVersions.directory(repo, MODEL, 2);
        assertEquals(2, ModelVersions.newest(repo, MODEL).getAsLong());
        for (String f : List.of(ModelVersions.MODEL, ModelVersions.CHECKPOINT, ModelVersions.REFERENCE)) {
            assertTrue(Files.isRegularFile(v2.resolve(f)), f + " in " + v2);
        }
        var model = ModelFile.read(v2.resolve(ModelVersions.MODEL));
        assertEquals("1", model.metadata().get("nabla.retrained_from"));
        assertTrue(Json.parse(model.metadata().get("nabla.recipe")) instanceof Map<?, ?> recipe
                && Boolean.TRUE.equals(recipe.get("int8")), "slimmed by version 1's recipe (int8)");
        try (Predictor p = Predictor.of(model.graph())) {
            assertEquals(10, p.predict(new float[784]).length);
        }
        assertEquals(2_000, ReferenceSample.read(v2.resolve(ModelVersions.REFERENCE)).size());
        assertFalse(Files.list(repo.resolve(MODEL)).anyMatch(p -> p.getFileName().toString().startsWith(".")),
                "no staging directory left behind");
    }

    @Test
    void aRetrainingThatLearnsNothingIsNotPromoted() {
        Path repo = publishVersionOne("keep");
        Path store = dir.resolve("keep.db");
        capture(store, 120);
        Retraining.Outcome outcome;
        try (CaptureReader reader = CaptureReader.open(store.toString())) {
            // a rate so small that the weights do not move: the candidate is version 1 again, not better
            outcome = new Retraining(repo, MODEL, new Retraining.Settings(1, 1e-12, 0.3, 50, 1000, 0.5, 1), s -> { })
                    .run(reader, train.head(500));
        }
        assertEquals(outcome.servingAccuracy(), outcome.candidateAccuracy(), 1e-9);
        assertFalse(outcome.promoted());
        assertEquals(1, ModelVersions.newest(repo, MODEL).getAsLong(), "version 1 keeps serving");
    }

    @Test
    void tooFewLabelledRequestsOrNoCheckpointAreOneLineErrors() {
        Path repo = publishVersionOne("few");
        Path store = dir.resolve("few.db");
        capture(store, 10);
        try (CaptureReader reader = CaptureReader.open(store.toString())) {
            UsageException few = assertThrows(UsageException.class, () -> new Retraining(repo, MODEL,
                    Retraining.Settings.defaults(), s -> { }).run(reader, train));
            assertTrue(few.getMessage().contains("10 labelled requests") && few.getMessage().contains("at least 50"),
                    few.getMessage());
        }
        Path bare = dir.resolve("bare");
        ModelVersions.publish(bare, MODEL, Map.of(ModelVersions.MODEL, dir.resolve("model.nabla")));
        CliRun run = nabla("retrain", "--repository", bare.toString(), "--model", MODEL, "--store", store.toString(),
                "--sample", "--threads", "2");
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.err().contains("has no checkpoint.safetensors"), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }
}
