package dev.nabla.optim;

/** Multiplies the learning rate by {@code gamma} every step. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int group, long step) {
        return baseLrs[group] * Math.pow(gamma, step);
    }
}
