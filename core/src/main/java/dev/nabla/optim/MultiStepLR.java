package dev.nabla.optim;

import java.util.Arrays;

/** Multiplies the learning rate by {@code gamma} at each milestone step. */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int group, long step) {
        int passed = 0;
        for (int m : milestones) {
            if (step >= m) {
                passed++;
            }
        }
        return baseLrs[group] * Math.pow(gamma, passed);
    }
}
