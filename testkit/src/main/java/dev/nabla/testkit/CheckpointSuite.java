package dev.nabla.testkit;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.data.Transform;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.StepLR;
import dev.nabla.train.Checkpoint;
import dev.nabla.train.CheckpointEveryEpoch;
import dev.nabla.train.EarlyStopping;
import dev.nabla.train.EpochResult;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full checkpoints: resuming reproduces an uninterrupted run's per-epoch losses exactly (a model with
 * Dropout and BatchNorm, Adam, StepLR, a shuffling loader with a random transform), and every
 * refused resume (other data seed, other shapes, corrupt metadata) leaves model, optimizer and
 * scheduler as they were.
 */
public abstract class CheckpointSuite extends BackendTestBase {
    @TempDir
    Path dir;

    static final long DATA_SEED = 7;
    /** Random noise drawn from the loader's per-batch generator. */
    static final Transform JITTER = (batch, g) -> batch.add(Tensor.randn(g, batch.shape()).mul(0.2).to(batch.dtype()));

    static Module model(int hidden) {
        return new Sequential(new Linear(2, hidden), new BatchNorm1d(hidden), Activation.relu(), new Dropout(0.3),
                new Linear(hidden, 3));
    }

    static DataLoader trainLoader(long seed) {
        return DataLoader.builder(TrainerSuite.blobs(11, TrainerSuite.SAMPLES)).batchSize(16).shuffle(true).seed(seed)
                .transform(JITTER).build();
    }

    /** A trainer for {@code epochs} epochs with Adam, StepLR(2, 0.5) per epoch and a validation set. */
    static Trainer trainer(Module model, int epochs, long dataSeed, Path checkpoint, TrainingListener... more) {
        Adam adam = new Adam(model.parameters(), 0.02);
        Trainer.Builder b = Trainer.builder(model, adam, new CrossEntropyLoss(), trainLoader(dataSeed))
                .validation(DataLoader.builder(TrainerSuite.blobs(12, 30)).batchSize(8).build())
                .epochScheduler(new StepLR(adam, 2, 0.5)).epochs(epochs);
        if (checkpoint != null) {
            b.listener(new CheckpointEveryEpoch(checkpoint));
        }
        for (TrainingListener l : more) {
            b.listener(l);
        }
        return b.build();
    }

    private static Map<String, double[]> values(Map<String, Tensor> state) {
        Map<String, double[]> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    private static void assertSameValues(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), () -> what + ": " + k + " changed"));
    }

    @Test
    void resumingReproducesTheUninterruptedRunExactly() {
        Path file = dir.resolve("run/checkpoint.safetensors");
        Nabla.manualSeed(100);
        Module full = model(12);
        History uninterrupted = trainer(full, 5, DATA_SEED, null).fit();

        Nabla.manualSeed(100);
        Module first = model(12);
        History part1 = trainer(first, 2, DATA_SEED, file).fit();
        for (int e = 0; e < 2; e++) {
            assertEquals(uninterrupted.epochs().get(e).trainLoss(), part1.epochs().get(e).trainLoss(), "epoch " + e);
        }

        // a new process: another seed, a differently initialized model, fresh optimizer, scheduler and loader
        Nabla.manualSeed(999);
        Module resumed = model(12);
        Trainer t = trainer(resumed, 5, DATA_SEED, null).resumeFrom(file);
        History part2 = t.fit();
        assertEquals(5, part2.epochs().size(), "epochs 0 and 1 from the checkpoint, then 2, 3, 4");
        assertEquals(part1.epochs(), part2.epochs().subList(0, 2), "the checkpoint's history, value for value");
        for (int i = 0; i < 3; i++) {
            EpochResult expected = uninterrupted.epochs().get(i + 2);
            EpochResult actual = part2.epochs().get(i + 2);
            assertEquals(expected.epoch(), actual.epoch());
            assertEquals(expected.trainLoss(), actual.trainLoss(), "train loss of epoch " + expected.epoch());
            assertEquals(expected.trainAccuracy(), actual.trainAccuracy(), "train accuracy of epoch " + expected.epoch());
            assertEquals(expected.validationLoss(), actual.validationLoss(), "validation loss of epoch " + expected.epoch());
            assertEquals(expected.learningRate(), actual.learningRate(), "learning rate of epoch " + expected.epoch());
        }
        assertSameValues(values(full.stateDict()), values(resumed.stateDict()), "final model");
        assertTrue(uninterrupted.epochs().get(4).learningRate() < uninterrupted.epochs().get(0).learningRate(),
                "the schedule really changed the rate");
    }

    @Test
    void earlyStoppingResumesWhereTheUninterruptedRunWouldStop() {
        // minDelta so large that only the first epoch counts as an improvement: stops after epoch 1 + patience
        Nabla.manualSeed(100);
        Trainer uninterrupted = trainer(model(12), 10, DATA_SEED, null, new EarlyStopping(3, 1e9));
        assertEquals(4, uninterrupted.fit().epochs().size(), "epoch 0, then three without improvement");

        Path file = dir.resolve("early/checkpoint.safetensors");
        Nabla.manualSeed(100);
        trainer(model(12), 2, DATA_SEED, file).fit();
        Nabla.manualSeed(999);
        // a fresh listener, as in a new process
        Trainer resumed = trainer(model(12), 10, DATA_SEED, null, new EarlyStopping(3, 1e9)).resumeFrom(file);
        History h = resumed.fit();
        assertEquals(4, h.epochs().size(), "stops after epoch 3 as the uninterrupted run did, not after epoch 5");
    }

    @Test
    void checkpointHoldsModelOptimizerAndMetadata() {
        Path file = dir.resolve("ckpt.safetensors");
        Nabla.manualSeed(5);
        Module m = model(4);
        trainer(m, 1, DATA_SEED, file).fit();
        Checkpoint c = Checkpoint.load(file);
        assertEquals(1, c.epochsDone());
        assertEquals(DATA_SEED, c.dataSeed());
        assertEquals(m.stateDict().keySet(), c.modelState().keySet());
        SafeTensors.Content raw = SafeTensors.read(file);
        assertTrue(raw.tensors().containsKey("model.1.running_var"));
        assertTrue(raw.tensors().containsKey("optimizer.state.0.exp_avg"));
        assertTrue(raw.metadata().containsKey("rng_state") && raw.metadata().containsKey("scheduler"));
    }

    /** State of a trainer's model, optimizer and learning rate, to show that a refused resume changed nothing. */
    private record Snapshot(Map<String, double[]> model, Map<String, double[]> optimizer, double lr) {
        static Snapshot of(Module m, Optimizer o) {
            return new Snapshot(values(m.stateDict()), values(o.stateDict()), o.paramGroups().get(0).lr());
        }

        void assertSame(Module m, Optimizer o) {
            assertSameValues(model, values(m.stateDict()), "model");
            assertSameValues(optimizer, values(o.stateDict()), "optimizer");
            assertEquals(lr, o.paramGroups().get(0).lr(), "learning rate");
        }
    }

    /** A checkpoint after 2 epochs, and a trainer for the same model shape that has trained 1 epoch of its own. */
    private Path checkpointAfterTwoEpochs() {
        Path file = dir.resolve("good.safetensors");
        Nabla.manualSeed(1);
        trainer(model(6), 2, DATA_SEED, file).fit();
        return file;
    }

    private Trainer trainedOneEpoch(int hidden, long dataSeed) {
        Nabla.manualSeed(2);
        Trainer t = trainer(model(hidden), 1, dataSeed, null);
        t.fit();
        return t;
    }

    @Test
    void resumingWithAnotherDataSeedIsRefused() {
        Path file = checkpointAfterTwoEpochs();
        Trainer t = trainedOneEpoch(6, DATA_SEED + 1);
        Snapshot before = Snapshot.of(t.model(), t.optimizer());
        FileFormatException e = assertThrows(FileFormatException.class, () -> t.resumeFrom(file));
        assertTrue(e.getMessage().contains("good.safetensors") && e.getMessage().contains("seed"), e.getMessage());
        before.assertSame(t.model(), t.optimizer());
    }

    @Test
    void resumingIntoAModelOfOtherShapesFailsAndChangesNothing() {
        Path file = checkpointAfterTwoEpochs();
        Trainer t = trainedOneEpoch(5, DATA_SEED);
        Snapshot before = Snapshot.of(t.model(), t.optimizer());
        RuntimeException e = assertThrows(RuntimeException.class, () -> t.resumeFrom(file));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("[5, 2]") && e.getMessage().contains("[6, 2]"),
                e.getMessage());
        before.assertSame(t.model(), t.optimizer());
    }

    /** The good checkpoint with one metadata entry replaced. */
    private Path withMetadata(Path good, String key, String value) {
        SafeTensors.Content c = SafeTensors.read(good);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put(key, value);
        Path bad = dir.resolve("bad-" + key + ".safetensors");
        SafeTensors.write(bad, c.tensors(), meta);
        return bad;
    }

    private void assertCorruptMetadataRefusedWithoutChanges(String key, String value) {
        Path bad = withMetadata(checkpointAfterTwoEpochs(), key, value);
        Trainer t = trainedOneEpoch(6, DATA_SEED);
        Snapshot before = Snapshot.of(t.model(), t.optimizer());
        long rng = Nabla.generator().getState();
        RuntimeException e = assertThrows(RuntimeException.class, () -> t.resumeFrom(bad));
        before.assertSame(t.model(), t.optimizer());
        assertEquals(rng, Nabla.generator().getState(), "generator state unchanged");
        assertInstanceOf(FileFormatException.class, e, () -> "a corrupt '" + key + "' is a file format error: " + e);
        assertTrue(e.getMessage().contains(bad.getFileName().toString()), e.getMessage());
    }

    @Test
    void corruptSchedulerStateIsRefusedBeforeAnythingChanges() {
        assertCorruptMetadataRefusedWithoutChanges("scheduler", "{\"last_step\": ");
    }

    @Test
    void corruptGeneratorStateIsRefusedBeforeAnythingChanges() {
        assertCorruptMetadataRefusedWithoutChanges("rng_state", "not a number");
    }

    @Test
    void corruptHistoryIsRefusedBeforeAnythingChanges() {
        assertCorruptMetadataRefusedWithoutChanges("history", "{\"epochs\": [");
        assertCorruptMetadataRefusedWithoutChanges("history", "{\"epochs\": []}"); // two epochs are done
        assertCorruptMetadataRefusedWithoutChanges("history", "{\"epochs\": [{\"epoch\": \"one\"}, {}]}");
    }

    @Test
    void corruptEpochCountIsRefusedBeforeAnythingChanges() {
        assertCorruptMetadataRefusedWithoutChanges("epochs_done", "two");
        assertCorruptMetadataRefusedWithoutChanges("epochs_done", "4294967297"); // was read as 1
        assertCorruptMetadataRefusedWithoutChanges("epochs_done", "2147483648");
        assertCorruptMetadataRefusedWithoutChanges("epochs_done", "-1");
        assertCorruptMetadataRefusedWithoutChanges("epochs_done", " 2");
    }

    @Test
    void aScheduleThatCannotContinueIsRefusedBeforeAnythingChanges() {
        assertCorruptMetadataRefusedWithoutChanges("scheduler", "{\"last_step\": -5}");
        assertCorruptMetadataRefusedWithoutChanges("scheduler", "{\"last_step\": 1e30}");
        assertCorruptMetadataRefusedWithoutChanges("scheduler", "{\"last_step\": 2, \"extra\": 1}");
        assertCorruptMetadataRefusedWithoutChanges("scheduler", "{}");
    }

    @Test
    void aCheckpointWithoutSchedulerStateIsRefusedByATrainerWithAScheduler() {
        SafeTensors.Content c = SafeTensors.read(checkpointAfterTwoEpochs());
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.remove("scheduler");
        Path bad = dir.resolve("no-scheduler.safetensors");
        SafeTensors.write(bad, c.tensors(), meta);
        Trainer t = trainedOneEpoch(6, DATA_SEED);
        Snapshot before = Snapshot.of(t.model(), t.optimizer());
        FileFormatException e = assertThrows(FileFormatException.class, () -> t.resumeFrom(bad));
        assertTrue(e.getMessage().contains("no-scheduler.safetensors") && e.getMessage().contains("scheduler"),
                e.getMessage());
        before.assertSame(t.model(), t.optimizer());
    }

    @Test
    void stateDictRefusalsNameTheFile() {
        SafeTensors.Content c = SafeTensors.read(checkpointAfterTwoEpochs());
        Map<String, Tensor> tensors = new LinkedHashMap<>(c.tensors());
        tensors.put("optimizer.state.0.exp_avgX", tensors.get("optimizer.state.0.exp_avg"));
        Path bad = dir.resolve("unknown-state.safetensors");
        SafeTensors.write(bad, tensors, c.metadata());
        Trainer t = trainedOneEpoch(6, DATA_SEED);
        Snapshot before = Snapshot.of(t.model(), t.optimizer());
        FileFormatException e = assertThrows(FileFormatException.class, () -> t.resumeFrom(bad));
        assertTrue(e.getMessage().contains("unknown-state.safetensors") && e.getMessage().contains("exp_avgX"),
                e.getMessage());
        before.assertSame(t.model(), t.optimizer());

        Trainer other = trainedOneEpoch(5, DATA_SEED);
        FileFormatException shapes = assertThrows(FileFormatException.class,
                () -> other.resumeFrom(checkpointAfterTwoEpochs()));
        assertTrue(shapes.getMessage().contains("good.safetensors"), shapes.getMessage());
    }

    @Test
    void checkpointsOfTheSameStateAreTheSameBytes() throws java.io.IOException {
        Path first = checkpointAfterTwoEpochs();
        byte[] a = java.nio.file.Files.readAllBytes(first);
        SafeTensors.Content c = SafeTensors.read(first);
        Map<String, String> reversed = new LinkedHashMap<>();
        List<String> keys = new java.util.ArrayList<>(c.metadata().keySet());
        java.util.Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, c.metadata().get(k)));
        assertArrayEquals(a, SafeTensors.toBytes(c.tensors(), reversed), "metadata order does not change the bytes");
    }

    @Test
    void filesThatAreNotCheckpointsAreRefused() {
        Path plain = dir.resolve("weights.safetensors");
        SafeTensors.write(plain, model(3).stateDict());
        FileFormatException e = assertThrows(FileFormatException.class, () -> Checkpoint.load(plain));
        assertTrue(e.getMessage().contains("weights.safetensors"), e.getMessage());
        Path good = checkpointAfterTwoEpochs();
        for (String key : List.of("epochs_done", "rng_state", "data_seed")) {
            SafeTensors.Content c = SafeTensors.read(good);
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            meta.remove(key);
            Path bad = dir.resolve("without-" + key + ".safetensors");
            SafeTensors.write(bad, c.tensors(), meta);
            FileFormatException missing = assertThrows(FileFormatException.class, () -> Checkpoint.load(bad));
            assertTrue(missing.getMessage().contains(key), missing.getMessage());
        }
        Path newer = withMetadata(good, "version", "99");
        assertThrows(FileFormatException.class, () -> Checkpoint.load(newer));
    }
}
