package dev.nabla.optim;

/**
 * The one-cycle policy (Smith) with cosine annealing, as PyTorch's {@code OneCycleLR}: from
 * {@code maxLr / divFactor} up to {@code maxLr} over {@code pctStart} of the steps, then down to
 * {@code maxLr / (divFactor * finalDivFactor)}. Step it after every batch. Applies the initial rate
 * when created.
 */
public final class OneCycleLR extends LRScheduler {
    private final double maxLr;
    private final long totalSteps;
    private final double pctStart;
    private final double initialLr;
    private final double minLr;

    public OneCycleLR(Optimizer optimizer, double maxLr, long totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, 25, 1e4);
    }

    public OneCycleLR(Optimizer optimizer, double maxLr, long totalSteps, double pctStart, double divFactor,
                      double finalDivFactor) {
        super(optimizer);
        if (totalSteps <= 1 || pctStart <= 0 || pctStart >= 1) {
            throw new IllegalArgumentException("OneCycleLR: needs totalSteps > 1 and 0 < pctStart < 1, found "
                    + totalSteps + " and " + pctStart);
        }
        this.maxLr = maxLr;
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.initialLr = maxLr / divFactor;
        this.minLr = initialLr / finalDivFactor;
        apply();
    }

    @Override
    protected double lrAt(int group, long step) {
        double upEnd = pctStart * totalSteps - 1;
        double downEnd = totalSteps - 1;
        double s = Math.min(step, totalSteps - 1);
        if (s <= upEnd) {
            return cosine(initialLr, maxLr, s / upEnd);
        }
        return cosine(maxLr, minLr, (s - upEnd) / (downEnd - upEnd));
    }

    private static double cosine(double start, double end, double fraction) {
        return end + (start - end) / 2 * (1 + Math.cos(Math.PI * fraction));
    }
}
