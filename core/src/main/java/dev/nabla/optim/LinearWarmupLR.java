package dev.nabla.optim;

/**
 * Linear warm-up: the learning rate rises from {@code startFactor * base} to the base over
 * {@code warmupSteps} steps (PyTorch's {@code LinearLR} with {@code end_factor = 1}), then stays.
 * It applies the starting rate as soon as it is created.
 */
public final class LinearWarmupLR extends LRScheduler {
    private final double startFactor;
    private final long warmupSteps;

    public LinearWarmupLR(Optimizer optimizer, double startFactor, long warmupSteps) {
        super(optimizer);
        if (startFactor <= 0 || startFactor > 1 || warmupSteps <= 0) {
            throw new IllegalArgumentException("LinearWarmupLR: needs 0 < startFactor <= 1 and warmupSteps > 0, found "
                    + startFactor + " and " + warmupSteps);
        }
        this.startFactor = startFactor;
        this.warmupSteps = warmupSteps;
        apply();
    }

    @Override
    protected double lrAt(int group, long step) {
        double progress = Math.min(1.0, step / (double) warmupSteps);
        return baseLrs[group] * (startFactor + (1 - startFactor) * progress);
    }
}
