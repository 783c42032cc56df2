package dev.nabla.train;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;

/**
 * An epoch's loss sum and correct predictions, summed on the device batch after batch and read once at the end, so
 * that a training step never waits for the device to report its numbers.
 */
final class EpochTotals implements AutoCloseable {
    private final Tensor lossSum;
    private final Tensor correct;
    private long samples;
    private boolean classification = true;

    EpochTotals(Device device) {
        lossSum = TensorScope.escape(Tensor.full(device, DType.FLOAT64, 0));
        correct = TensorScope.escape(Tensor.full(device, DType.INT64, 0));
    }

    /**
     * Adds a batch of {@code size} samples whose mean loss is the 0-d {@code batchLoss}; {@code batchCorrect} is the
     * batch's 0-d count of correct predictions, or null when the task is not classification.
     */
    void add(Tensor batchLoss, int size, Tensor batchCorrect) {
        lossSum.addInPlace(batchLoss.detach().to(DType.FLOAT64), size);
        if (batchCorrect == null) {
            classification = false;
        } else {
            correct.addInPlace(batchCorrect);
        }
        samples += size;
    }

    long samples() {
        return samples;
    }

    /** The mean loss per sample so far (reads the device); NaN before any sample. */
    double meanLoss() {
        return samples == 0 ? Double.NaN : lossSum.item() / samples;
    }

    /** The fraction of correct predictions so far (reads the device); NaN unless every batch was classification. */
    double accuracy() {
        return classification && samples > 0 ? correct.itemLong() / (double) samples : Double.NaN;
    }

    @Override
    public void close() {
        lossSum.close();
        correct.close();
    }
}
