package dev.nabla.train;

import dev.nabla.Tensor;

/**
 * The loss of one training batch as {@link TrainingListener#onBatchEnd} receives it. The numbers stay on the model's
 * device until a listener asks for them, and a read waits for the device to finish the step (on a GPU, a host
 * synchronization): a listener that draws a progress bar reads a few times a second, not at every batch, so that the
 * host can queue the next steps while the device works. Valid only during the callback.
 */
public final class BatchLoss {
    private final Tensor loss;
    private final EpochTotals totals;
    private double value = Double.NaN;
    private boolean read;

    BatchLoss(Tensor loss, EpochTotals totals) {
        this.loss = loss;
        this.totals = totals;
    }

    /** This batch's loss (reads the device once, then remembers it). */
    public double value() {
        if (!read) {
            value = loss.item();
            read = true;
        }
        return value;
    }

    /** The mean loss per sample over the epoch's batches so far, this one included (reads the device). */
    public double epochMean() {
        return totals.meanLoss();
    }
}
