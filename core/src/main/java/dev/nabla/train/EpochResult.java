package dev.nabla.train;

/**
 * Metrics of one epoch. Accuracies are NaN when the task is not classification; validation values
 * are NaN when there is no validation data.
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                          double validationAccuracy, double seconds, double samplesPerSecond, double learningRate) {
}
