package dev.nabla.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when a monitored metric has not improved for
 * {@code patience} steps (PyTorch's defaults: relative threshold 1e-4, no cooldown).
 */
public final class ReduceLROnPlateau extends LRScheduler {
    private final boolean minimize;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final double minLr;
    private double best;
    private int badSteps;

    public ReduceLROnPlateau(Optimizer optimizer, boolean minimize, double factor, int patience) {
        this(optimizer, minimize, factor, patience, 1e-4, 0);
    }

    public ReduceLROnPlateau(Optimizer optimizer, boolean minimize, double factor, int patience, double threshold,
                             double minLr) {
        super(optimizer);
        if (factor <= 0 || factor >= 1) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in (0, 1), found " + factor);
        }
        this.minimize = minimize;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.minLr = minLr;
        this.best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException("ReduceLROnPlateau needs the monitored value: call step(metric)");
    }

    /** Records the metric of the step just finished and lowers the rate after a plateau. */
    public void step(double metric) {
        lastStep++;
        boolean improved = minimize ? metric < best * (1 - threshold) : metric > best * (1 + threshold);
        if (improved) {
            best = metric;
            badSteps = 0;
        } else if (++badSteps > patience) {
            for (ParamGroup g : optimizer.paramGroups()) {
                g.setLr(Math.max(minLr, g.lr() * factor));
            }
            badSteps = 0;
        }
    }

    @Override
    protected double lrAt(int group, long step) {
        return optimizer.paramGroups().get(group).lr();
    }

    @Override
    public Map<String, Double> stateDict() {
        Map<String, Double> out = new LinkedHashMap<>(super.stateDict());
        out.put("best", best);
        out.put("bad_steps", (double) badSteps);
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            out.put("lr." + i, groups.get(i).lr());
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        lastStep = state.getOrDefault("last_step", 0.0).longValue();
        best = state.getOrDefault("best", best);
        badSteps = state.getOrDefault("bad_steps", 0.0).intValue();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            Double lr = state.get("lr." + i);
            if (lr != null) {
                groups.get(i).setLr(lr);
            }
        }
    }
}
