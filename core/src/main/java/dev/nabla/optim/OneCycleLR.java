package dev.nabla.optim;

/**
 * The one-cycle policy (Smith) with cosine annealing, as PyTorch's {@code OneCycleLR}: from
 * {@code maxLr / divFactor} up to {@code maxLr} over {@code pctStart} of the steps, then down to
 * {@code maxLr / (divFactor * finalDivFactor)}. Like PyTorch it also cycles the momentum (SGD's
 * {@code momentum}, Adam's {@code beta1}) inversely, between 0.95 and 0.85. Step it after every
 * batch. Applies the initial values when created.
 */
public final class OneCycleLR extends LRScheduler {
    private final double maxLr;
    private final long totalSteps;
    private final double pctStart;
    private final double initialLr;
    private final double minLr;
    private final boolean cycleMomentum;
    private final double baseMomentum;
    private final double maxMomentum;

    public OneCycleLR(Optimizer optimizer, double maxLr, long totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, 25, 1e4, true, 0.85, 0.95);
    }

    public OneCycleLR(Optimizer optimizer, double maxLr, long totalSteps, double pctStart, double divFactor,
                      double finalDivFactor) {
        this(optimizer, maxLr, totalSteps, pctStart, divFactor, finalDivFactor, true, 0.85, 0.95);
    }

    public OneCycleLR(Optimizer optimizer, double maxLr, long totalSteps, double pctStart, double divFactor,
                      double finalDivFactor, boolean cycleMomentum, double baseMomentum, double maxMomentum) {
        super(optimizer);
        this.cycleMomentum = cycleMomentum;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
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
        return phase(step, initialLr, maxLr, minLr);
    }

    @Override
    protected void apply() {
        super.apply();
        if (!cycleMomentum) {
            return;
        }
        double momentum = phase(lastStep, maxMomentum, baseMomentum, maxMomentum);
        for (ParamGroup g : optimizer.paramGroups()) {
            String key = g.options().containsKey("beta1") ? "beta1" : g.options().containsKey("momentum") ? "momentum" : null;
            if (key != null) {
                g.set(key, momentum);
            }
        }
    }

    /** Cosine from {@code start} to {@code peak} over the first phase, then from {@code peak} to {@code end}. */
    private double phase(long step, double start, double peak, double end) {
        double upEnd = pctStart * totalSteps - 1;
        double downEnd = totalSteps - 1;
        double s = Math.min(step, totalSteps - 1);
        if (s <= upEnd) {
            return cosine(start, peak, s / upEnd);
        }
        return cosine(peak, end, (s - upEnd) / (downEnd - upEnd));
    }

    private static double cosine(double start, double end, double fraction) {
        return end + (start - end) / 2 * (1 + Math.cos(Math.PI * fraction));
    }
}
