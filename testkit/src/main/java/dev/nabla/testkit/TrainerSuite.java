package dev.nabla.testkit;

import dev.nabla.io.Json;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import dev.nabla.train.BatchLoss;
import dev.nabla.train.EarlyStopping;
import dev.nabla.train.EpochResult;
import dev.nabla.train.History;
import dev.nabla.train.Metrics;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer on a tiny synthetic classification problem: falling loss, history (also as JSON and
 * CSV, read back independently), listener events, early stopping, evaluation and the metrics.
 * Checkpoints and resuming are in {@link CheckpointSuite}.
 */
public abstract class TrainerSuite extends BackendTestBase {
    @TempDir
    Path dir;

    static final int SAMPLES = 96;

    /** Three Gaussian blobs in 2-D around (2, 0), (-1, 1.7), (-1, -1.7), seeded independently of the library. */
    static TensorDataset blobs(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] centers = {{2, 0}, {-1, 1.7}, {-1, -1.7}};
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = (float) (centers[c][0] + 0.5 * (r.nextDouble() * 2 - 1));
            x[2 * i + 1] = (float) (centers[c][1] + 0.5 * (r.nextDouble() * 2 - 1));
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y));
    }

    static Module smallMlp() {
        return new Sequential(new Linear(2, 16), Activation.relu(), new Linear(16, 3));
    }

    static DataLoader loader(TensorDataset ds, long seed) {
        return DataLoader.builder(ds).batchSize(16).shuffle(true).seed(seed).build();
    }

    /** Records every listener call as a line. */
    static final class Recorder implements TrainingListener {
        final List<String> events = new ArrayList<>();
        final List<Double> batchLosses = new ArrayList<>();
        final List<Double> epochMeans = new ArrayList<>();
        History finished;

        public void onTrainStart(Trainer t, int firstEpoch, int epochs) {
            events.add("start " + firstEpoch + " " + epochs);
        }

        public void onEpochStart(Trainer t, int epoch, int numBatches) {
            events.add("epoch " + epoch + " of " + numBatches);
        }

        public void onBatchEnd(Trainer t, int epoch, int batch, int numBatches, BatchLoss loss) {
            events.add("batch " + epoch + "." + batch);
            batchLosses.add(loss.value());
            epochMeans.add(loss.epochMean());
        }

        public void onEpochEnd(Trainer t, EpochResult r) {
            events.add("end " + r.epoch());
        }

        public void onTrainEnd(Trainer t, History h) {
            events.add("done");
            finished = h;
        }
    }

    @Test
    void fitLowersTheLossAndRecordsHistory() {
        TensorDataset ds = blobs(1, SAMPLES);
        Module model = smallMlp();
        Recorder rec = new Recorder();
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 0.05), new CrossEntropyLoss(), loader(ds, 3))
                .validation(DataLoader.builder(blobs(2, 30)).batchSize(8).build()).epochs(6).listener(rec).build();
        History h = trainer.fit();
        assertSame(h, trainer.history());
        assertSame(h, rec.finished);
        List<EpochResult> epochs = h.epochs();
        assertEquals(6, epochs.size());
        for (int e = 0; e < 6; e++) {
            EpochResult r = epochs.get(e);
            assertEquals(e, r.epoch());
            assertEquals(0.05, r.learningRate());
            assertTrue(r.seconds() > 0 && r.samplesPerSecond() > 0);
            assertTrue(Double.isFinite(r.validationLoss()) && r.validationAccuracy() >= 0 && r.validationAccuracy() <= 1);
            // every batch has 16 examples, so the epoch loss is the mean of the batch losses
            double mean = rec.batchLosses.subList(6 * e, 6 * e + 6).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertEquals(mean, r.trainLoss(), 1e-9);
        }
        assertTrue(epochs.get(5).trainLoss() < 0.5 * epochs.get(0).trainLoss(),
                "loss falls: " + epochs.get(0).trainLoss() + " -> " + epochs.get(5).trainLoss());
        assertTrue(epochs.get(5).trainAccuracy() > 0.9, "separable blobs are learned: " + epochs.get(5).trainAccuracy());
        assertTrue(epochs.get(5).validationAccuracy() > 0.9, "and generalize: " + epochs.get(5).validationAccuracy());
        assertSame(epochs.get(5), h.last());
    }

    @Test
    void listenersSeeEveryEventInOrder() {
        Module model = smallMlp();
        Recorder rec = new Recorder();
        TensorDataset ds = blobs(1, 40); // batches of 16, 16, 8
        Trainer.builder(model, new SGD(model.parameters(), 0.1), new CrossEntropyLoss(), loader(ds, 1))
                .epochs(2).listener(rec).build().fit();
        assertEquals(List.of("start 0 2", "epoch 0 of 3", "batch 0.0", "batch 0.1", "batch 0.2", "end 0",
                "epoch 1 of 3", "batch 1.0", "batch 1.1", "batch 1.2", "end 1", "done"), rec.events);
    }

    @Test
    void epochLossWeighsBatchesByTheirSize() {
        Module model = smallMlp();
        Recorder rec = new Recorder();
        TensorDataset ds = blobs(1, 40);
        History h = Trainer.builder(model, new SGD(model.parameters(), 0.1), new CrossEntropyLoss(), loader(ds, 1))
                .listener(rec).build().fit();
        double weighted = (16 * rec.batchLosses.get(0) + 16 * rec.batchLosses.get(1) + 8 * rec.batchLosses.get(2)) / 40;
        assertEquals(weighted, h.last().trainLoss(), 1e-9);
        // the running mean a progress bar shows, summed on the device
        assertEquals(rec.batchLosses.get(0), rec.epochMeans.get(0), 1e-6);
        assertEquals((rec.batchLosses.get(0) + rec.batchLosses.get(1)) / 2, rec.epochMeans.get(1), 1e-6);
        assertEquals(h.last().trainLoss(), rec.epochMeans.get(2), 1e-12);
    }

    @Test
    @SuppressWarnings("unchecked")
    void historyAsJsonAndCsv() throws IOException {
        Module model = smallMlp();
        History h = Trainer.builder(model, new Adam(model.parameters(), 0.05), new CrossEntropyLoss(), loader(blobs(1, 48), 2))
                .epochs(3).build().fit();
        Map<String, Object> json = (Map<String, Object>) Json.parse(h.toJson());
        List<Object> rows = (List<Object>) json.get("epochs");
        assertEquals(3, rows.size());
        for (int e = 0; e < 3; e++) {
            Map<String, Object> row = (Map<String, Object>) rows.get(e);
            EpochResult r = h.epochs().get(e);
            assertEquals(e, ((Number) row.get("epoch")).intValue());
            assertEquals(r.trainLoss(), ((Number) row.get("train_loss")).doubleValue(), 1e-12 * r.trainLoss());
            assertEquals(r.trainAccuracy(), ((Number) row.get("train_accuracy")).doubleValue(), 1e-12);
            assertEquals(0.05, ((Number) row.get("learning_rate")).doubleValue(), 1e-15);
            assertTrue(row.containsKey("validation_loss") && row.get("validation_loss") == null,
                    "no validation: NaN is written as null");
            assertTrue(row.containsKey("seconds") && row.containsKey("samples_per_second"));
        }
        List<String> lines = h.toCsv().lines().toList();
        assertEquals(4, lines.size());
        assertEquals("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second,learning_rate",
                lines.get(0));
        for (int e = 0; e < 3; e++) {
            String[] f = lines.get(e + 1).split(",");
            assertEquals(8, f.length, lines.get(e + 1));
            assertEquals(e, Integer.parseInt(f[0]));
            assertEquals(h.epochs().get(e).trainLoss(), Double.parseDouble(f[1]), 1e-6);
            assertEquals(0.05, Double.parseDouble(f[7]), 1e-9);
        }
        Path jsonFile = dir.resolve("history.json");
        Path csvFile = dir.resolve("out/history.csv");
        h.writeJson(jsonFile);
        h.writeCsv(csvFile);
        assertEquals(h.toJson(), Files.readString(jsonFile));
        assertEquals(h.toCsv(), Files.readString(csvFile));
    }

    @Test
    void regressionHasNoAccuracy() {
        float[] x = new float[32];
        float[] y = new float[32];
        for (int i = 0; i < 32; i++) {
            x[i] = i / 32f;
            y[i] = 3 * x[i] - 1;
        }
        Module model = new Linear(1, 1);
        TensorDataset ds = new TensorDataset(Tensor.of(x, 32, 1), Tensor.of(y, 32, 1));
        History h = Trainer.builder(model, new SGD(model.parameters(), 0.5), new MSELoss(),
                DataLoader.builder(ds).batchSize(8).build()).epochs(30).build().fit();
        assertTrue(Double.isNaN(h.last().trainAccuracy()));
        assertTrue(h.last().trainLoss() < 0.02 * h.epochs().get(0).trainLoss(), "linear regression converges");
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() {
        Module model = smallMlp();
        Recorder rec = new Recorder();
        // lr 0: the loss never improves; epoch 0 sets the best, epochs 1 and 2 exhaust a patience of 2
        History h = Trainer.builder(model, new SGD(model.parameters(), 0.0), new CrossEntropyLoss(), loader(blobs(1, 48), 1))
                .epochs(10).listener(new EarlyStopping(2, 1e-3)).listener(rec).build().fit();
        assertEquals(3, h.epochs().size());
        assertEquals("done", rec.events.get(rec.events.size() - 1));

        Module m2 = smallMlp();
        History withValidation = Trainer.builder(m2, new SGD(m2.parameters(), 0.0), new CrossEntropyLoss(), loader(blobs(1, 48), 1))
                .validation(DataLoader.builder(blobs(5, 12)).batchSize(4).build())
                .epochs(10).listener(new EarlyStopping(1, 0)).build().fit();
        assertEquals(2, withValidation.epochs().size());
    }

    @Test
    void evaluateUsesEvalModeWithoutGradientsAndRestoresTheMode() {
        Module model = new Sequential(new Linear(2, 8), new BatchNorm1d(8), Activation.relu(), new Dropout(0.5),
                new Linear(8, 3));
        NnReference.randomizeParameters(model, 7, 0.7);
        model.forward(NnReference.f32(NnReference.random(8, 20, -1, 1), 10, 2)); // running stats
        double[] runningMean = model.stateDict().get("1.running_mean").toDoubleArray();
        TensorDataset ds = blobs(9, 13);
        Trainer.Evaluation ev = Trainer.evaluate(model, new CrossEntropyLoss(), DataLoader.builder(ds).batchSize(5).build(),
                device());
        assertTrue(model.isTraining(), "training mode restored");
        assertArrayEquals(runningMean, model.stateDict().get("1.running_mean").toDoubleArray(), "no statistics updated");
        for (Tensor p : model.parameters()) {
            assertNull(p.grad());
        }
        model.eval();
        Tensor logits = model.forward(ds.inputs());
        assertEquals(13, ev.samples());
        assertEquals(new CrossEntropyLoss().forward(logits, ds.targets()).item(), ev.loss(), 1e-6);
        assertEquals(Metrics.accuracy(logits, ds.targets()), ev.accuracy(), 1e-12);
    }

    private static java.util.Set<Thread> loaderThreads() {
        java.util.Set<Thread> out = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("dataloader") && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void aFailedFitLeavesNoLoaderThreadBehind() throws InterruptedException {
        // A wrong model (3 inputs for 2 features) fails on the first batch, while the loader is preparing more.
        java.util.Set<Thread> before = loaderThreads();
        Module wrong = new Sequential(new Linear(3, 3));
        DataLoader many = DataLoader.builder(blobs(1, 400)).batchSize(4).prefetch(2).build();
        Trainer t = Trainer.builder(wrong, new SGD(wrong.parameters(), 0.1), new CrossEntropyLoss(), many).build();
        assertThrows(ShapeException.class, t::fit);
        java.util.Set<Thread> leaked = loaderThreads();
        leaked.removeAll(before);
        long deadline = System.nanoTime() + 3_000_000_000L;
        for (Thread thread : leaked) {
            System.gc();
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        leaked.removeIf(thread -> !thread.isAlive());
        assertTrue(leaked.isEmpty(), () -> "loader threads still running 3 s after fit failed: " + leaked + " in state "
                + leaked.stream().map(Thread::getState).toList());
    }

    // ------------------------------------------------------------------ metrics

    static Tensor logits() {
        return Tensor.of(new float[]{2, 1, 0, 0.1f, 0.5f, 0.2f, 3, -1, 4, 0.3f, 0.2f, 1}, 4, 3);
    }

    static Tensor labels() {
        return Tensor.of(new long[]{0, 2, 2, 1});
    }

    @Test
    void accuracyAndTopK() {
        Tensor logits = logits();
        Tensor labels = labels();
        // predictions 0, 1, 2, 2 against labels 0, 2, 2, 1
        assertEquals(2, Metrics.correct(logits, labels));
        assertEquals(0.5, Metrics.accuracy(logits, labels));
        assertEquals(0.5, Metrics.topKAccuracy(logits, labels, 1));
        assertEquals(0.75, Metrics.topKAccuracy(logits, labels, 2)); // row 3: label 1 scores 0.2, below 0.3 and 1
        assertEquals(1.0, Metrics.topKAccuracy(logits, labels, 3));
        assertEquals(0.5, Metrics.accuracy(logits, Tensor.of(new int[]{0, 2, 2, 1})), "INT32 labels");
        assertThrows(IllegalArgumentException.class, () -> Metrics.topKAccuracy(logits, labels, 0));
        assertThrows(IllegalArgumentException.class, () -> Metrics.topKAccuracy(logits, labels, 4));
        assertThrows(ShapeException.class, () -> Metrics.accuracy(logits, Tensor.of(new long[]{0, 1})));
        assertTrue(Double.isNaN(Metrics.accuracy(Tensor.zeros(0, 3), Tensor.zeros(dev.nabla.DType.INT64, 0))));
    }

    @Test
    void confusionMatrixCountsTrueByPredicted() {
        Tensor logits = logits();
        Tensor labels = labels();
        long[][] m = Metrics.confusionMatrix(logits, labels, 3);
        assertArrayEquals(new long[]{1, 0, 0}, m[0]);
        assertArrayEquals(new long[]{0, 0, 1}, m[1]);
        assertArrayEquals(new long[]{0, 1, 1}, m[2]);
        long[][] four = Metrics.confusionMatrix(logits, labels, 4);
        assertEquals(4, four.length);
        assertArrayEquals(new long[]{0, 0, 0, 0}, four[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.confusionMatrix(logits, labels, 2));
        assertTrue(e.getMessage().startsWith("confusionMatrix: row"), e.getMessage());
    }
}
