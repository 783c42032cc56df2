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

    /**
     * After each optimizer step. {@code loss} holds the batch's loss on the device: reading it waits for the device,
     * so read it only when you show it (see {@link BatchLoss}).
     */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, int numBatches, BatchLoss loss) {
    }

    default void onEpochEnd(Trainer trainer, EpochResult result) {
    }

    default void onTrainEnd(Trainer trainer, History history) {
    }
}
