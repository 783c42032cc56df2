package dev.nabla.train;

/**
 * Receives training progress. Library code reports through this and never prints; applications
 * render it (a progress bar, a log line, a dashboard). Callbacks can also stop training.
 */
public interface TrainingListener {
    default void onTrainStart(Trainer trainer, int firstEpoch, int epochs) {
    }

    default void onEpochStart(Trainer trainer, int epoch, int numBatches) {
    }

    /** After each optimizer step; {@code loss} is the batch loss. */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, int numBatches, double loss) {
    }

    default void onEpochEnd(Trainer trainer, EpochResult result) {
    }

    default void onTrainEnd(Trainer trainer, History history) {
    }
}
