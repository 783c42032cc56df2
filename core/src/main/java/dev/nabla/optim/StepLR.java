package dev.nabla.optim;

/** Multiplies the learning rate by {@code gamma} every {@code stepSize} steps. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: stepSize must be positive, found " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int group, long step) {
        return baseLrs[group] * Math.pow(gamma, step / stepSize);
    }
}
