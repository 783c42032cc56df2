package dev.nabla.optim;

/**
 * Cosine decay from the base learning rate to {@code etaMin} over {@code tMax} steps; past {@code tMax}
 * it follows the cosine back up, as PyTorch's closed form does (no warm restarts).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final long tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) {
            throw new IllegalArgumentException("CosineAnnealingLR: tMax must be positive, found " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    @Override
    protected double lrAt(int group, long step) {
        return etaMin + (baseLrs[group] - etaMin) * (1 + Math.cos(Math.PI * step / tMax)) / 2;
    }
}
