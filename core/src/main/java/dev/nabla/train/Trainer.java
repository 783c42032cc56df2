package dev.nabla.train;

import dev.nabla.Device;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.engine.Forward;
import dev.nabla.io.FileFormatException;
import dev.nabla.nn.Loss;
import dev.nabla.nn.Module;
import dev.nabla.optim.GradientClipping;
import dev.nabla.optim.LRScheduler;
import dev.nabla.optim.Optimizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop: for each epoch, each batch runs forward, loss, backward, optional gradient
 * clipping and the optimizer step inside a {@link TensorScope}, then releases the gradients
 * ({@link Optimizer#releaseGrads()}) so that every buffer of the step returns to the backend's pool
 * at once; then validation, scheduling, metrics and listeners. Progress goes to {@link TrainingListener}s, never to the console.
 *
 * <pre>{@code
 * History h = Trainer.builder(model, new Adam(model.parameters(), 1e-3), new CrossEntropyLoss(), trainLoader)
 *         .validation(testLoader).epochs(5).listener(myProgressBar).build().fit();
 * }</pre>
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Module model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final DataLoader train;
    private final DataLoader validation;
    private final int epochs;
    private final LRScheduler epochScheduler;
    private final LRScheduler batchScheduler;
    private final double clipNorm;
    private final List<TrainingListener> listeners;
    private final Device device;
    private final History history = new History();
    private int startEpoch;
    private volatile String stopReason;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.train = b.train;
        this.validation = b.validation;
        this.epochs = b.epochs;
        this.epochScheduler = b.epochScheduler;
        this.batchScheduler = b.batchScheduler;
        this.clipNorm = b.clipNorm;
        this.listeners = List.copyOf(b.listeners);
        this.device = b.device != null ? b.device : deviceOf(b.model);
    }

    public static Builder builder(Module model, Optimizer optimizer, Loss loss, DataLoader train) {
        return new Builder(model, optimizer, loss, train);
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The scheduler stepped per epoch, else the one stepped per batch, else null. */
    public LRScheduler scheduler() {
        return epochScheduler != null ? epochScheduler : batchScheduler;
    }

    public long dataSeed() {
        return train.seed();
    }

    public History history() {
        return history;
    }

    /** Ends training after the current epoch; listeners call this (e.g. early stopping). */
    public void requestStop(String reason) {
        stopReason = reason;
    }

    /**
     * Continues from a checkpoint written by {@link Checkpoint#save}: restores model, optimizer,
     * scheduler and generator, and makes {@link #fit()} start at the next epoch. The history starts with
     * the checkpoint's finished epochs when it holds them (as {@link CheckpointEveryEpoch} writes it), else empty.
     */
    public Trainer resumeFrom(Path checkpointFile) {
        Checkpoint checkpoint = Checkpoint.load(checkpointFile);
        if (checkpoint.dataSeed() != train.seed()) {
            throw new FileFormatException(checkpointFile, "checkpoint was trained with data seed " + checkpoint.dataSeed()
                    + " but this loader uses " + train.seed() + "; resuming would not reproduce the run");
        }
        checkpoint.restore(model, optimizer, scheduler());
        startEpoch = checkpoint.epochsDone();
        history.replaceWith(checkpoint.history().orElseGet(History::new)); // none: the finished epochs are unknown
        LOG.info("Resuming from {} after epoch {}", checkpointFile, startEpoch);
        return this;
    }

    /** Trains from the current epoch to the configured number of epochs. */
    public History fit() {
        listeners.forEach(l -> l.onTrainStart(this, startEpoch, epochs));
        for (int epoch = startEpoch; epoch < epochs && stopReason == null; epoch++) {
            EpochResult result = runEpoch(epoch);
            history.add(result);
            // Step the schedule before listeners run, so a checkpoint written there holds the next epoch's rate.
            if (epochScheduler != null) {
                epochScheduler.step();
            }
            startEpoch = epoch + 1;
            listeners.forEach(l -> l.onEpochEnd(this, result));
        }
        if (stopReason != null) {
            LOG.info("Training stopped early: {}", stopReason);
        }
        listeners.forEach(l -> l.onTrainEnd(this, history));
        return history;
    }

    private EpochResult runEpoch(int epoch) {
        model.train();
        int numBatches = train.numBatches();
        listeners.forEach(l -> l.onEpochStart(this, epoch, numBatches));
        long start = System.nanoTime();
        double lr = optimizer.paramGroups().get(0).lr();
        double trainLoss;
        double trainAccuracy;
        long samples;
        int index = 0;
        try (EpochTotals totals = new EpochTotals(device);
             DataLoader.BatchIterator batches = train.iterator(epoch)) {
            while (batches.hasNext()) {
                int b = index++;
                try (Batch batch = batches.next(); Tensor batchLoss = trainStep(batch, totals)) {
                    BatchLoss reported = new BatchLoss(batchLoss, totals);
                    listeners.forEach(lis -> lis.onBatchEnd(this, epoch, b, numBatches, reported));
                }
            }
            trainLoss = totals.meanLoss(); // the epoch's one wait for the device
            trainAccuracy = totals.accuracy();
            samples = totals.samples();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double valLoss = Double.NaN;
        double valAccuracy = Double.NaN;
        if (validation != null) {
            Evaluation ev = evaluate(model, loss, validation, device);
            valLoss = ev.loss();
            valAccuracy = ev.accuracy();
        }
        return new EpochResult(epoch, samples == 0 ? 0 : trainLoss, samples == 0 ? Double.NaN : trainAccuracy,
                valLoss, valAccuracy, seconds, samples / seconds, lr);
    }

    /**
     * Forward, loss, backward, clipping, optimizer and batch-scheduler step, all inside one scope; the loss and the
     * number of correct predictions are added to {@code totals} on the device. Returns the batch's loss (0-d, on the
     * device, owned by the caller). Nothing here waits for the device.
     */
    private Tensor trainStep(Batch batch, EpochTotals totals) {
        try (var scope = TensorScope.open()) {
            Tensor x = batch.inputs().to(device);
            Tensor y = batch.targets().to(device);
            Tensor out = model.call(x);
            Tensor l = loss.forward(out, y);
            optimizer.zeroGrad();
            l.backward();
            if (clipNorm > 0) {
                GradientClipping.clipGradNormTensor(model.parameters(), clipNorm, 2).close();
            }
            optimizer.step();
            optimizer.releaseGrads(); // back to the pool for the next step, not left for the garbage collector
            if (batchScheduler != null) {
                batchScheduler.step();
            }
            try (var off = GradMode.noGrad()) {
                totals.add(l, batch.size(), isClassification(out, y) ? Metrics.correctOnDevice(out, y) : null);
            }
            return TensorScope.escape(l.detach());
        }
    }

    /** The device of the model's first parameter, or the default device for a model without parameters. */
    private static Device deviceOf(Module model) {
        List<Tensor> parameters = model.parameters();
        return parameters.isEmpty() ? Nabla.defaultDevice() : parameters.get(0).device();
    }

    private static boolean isClassification(Tensor out, Tensor y) {
        return out.rank() == 2 && y.rank() == 1 && y.dtype().isIntegral();
    }

    /** Loss and accuracy of a model over a whole loader, in eval mode without gradients. */
    public record Evaluation(double loss, double accuracy, long samples) {
    }

    public static Evaluation evaluate(Module model, Loss loss, DataLoader data, Device device) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var off = GradMode.noGrad(); EpochTotals totals = new EpochTotals(device);
             DataLoader.BatchIterator batches = data.iterator(0)) {
            while (batches.hasNext()) {
                try (Batch batch = batches.next(); var scope = TensorScope.open()) {
                    Tensor x = batch.inputs().to(device);
                    Tensor y = batch.targets().to(device);
                    Tensor out = model.call(x);
                    totals.add(loss.forward(out, y), batch.size(),
                            isClassification(out, y) ? Metrics.correctOnDevice(out, y) : null);
                }
            }
            long samples = totals.samples();
            return new Evaluation(samples == 0 ? 0 : totals.meanLoss(), samples == 0 ? Double.NaN : totals.accuracy(),
                    samples);
        } finally {
            model.train(wasTraining);
        }
    }

    /** Settings of a {@link Trainer}; defaults: 1 epoch, no schedulers, no clipping, CPU. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private final Loss loss;
        private final DataLoader train;
        private DataLoader validation;
        private int epochs = 1;
        private LRScheduler epochScheduler;
        private LRScheduler batchScheduler;
        private double clipNorm;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Device device; // null: the model's device

        private Builder(Module model, Optimizer optimizer, Loss loss, DataLoader train) {
            this.model = model;
            this.optimizer = optimizer;
            this.loss = loss;
            this.train = train;
        }

        public Builder validation(DataLoader loader) {
            this.validation = loader;
            return this;
        }

        public Builder epochs(int epochs) {
            if (epochs <= 0) {
                throw new IllegalArgumentException("Trainer: epochs must be positive, found " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** A scheduler stepped after every epoch (StepLR, CosineAnnealingLR, ...). */
        public Builder epochScheduler(LRScheduler scheduler) {
            this.epochScheduler = scheduler;
            return this;
        }

        /** A scheduler stepped after every batch (OneCycleLR, warm-up). */
        public Builder batchScheduler(LRScheduler scheduler) {
            this.batchScheduler = scheduler;
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} before each step (0 disables). */
        public Builder clipGradNorm(double maxNorm) {
            this.clipNorm = maxNorm;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            listeners.add(listener);
            return this;
        }

        /**
         * Device the batches are moved to; the model must already be there. By default the device of the model's
         * first parameter, or {@link Nabla#defaultDevice()} for a model without parameters.
         */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
