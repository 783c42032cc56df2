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
        if (Double.isFinite(best)) {
            out.put("best", best); // none before the first step: JSON has no infinity
        }
        out.put("bad_steps", (double) badSteps);
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            out.put("lr." + i, groups.get(i).lr());
        }
        return out;
    }

    @Override
    public void checkStateDict(Map<String, Double> state) {
        for (String key : state.keySet()) {
            if (!key.equals("best") && !key.equals("bad_steps") && !key.equals("last_step")
                    && !key.matches("lr\\.(0|[1-9][0-9]{0,8})")) {
                throw new IllegalArgumentException("ReduceLROnPlateau: unknown state '" + key + "'");
            }
        }
        requireWholeNumber(state, "last_step", MAX_STEP);
        requireWholeNumber(state, "bad_steps", Integer.MAX_VALUE);
        if (state.containsKey("best") && !Double.isFinite(state.get("best"))) {
            throw new IllegalArgumentException("ReduceLROnPlateau: state 'best' must be finite, found " + state.get("best"));
        }
        int groups = optimizer.paramGroups().size();
        for (int i = 0; i < groups; i++) {
            Double lr = state.get("lr." + i);
            if (lr == null || !(lr >= 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("ReduceLROnPlateau: state 'lr." + i + "' must be a finite rate >= 0, "
                        + "found " + lr);
            }
        }
        if (state.containsKey("lr." + groups)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: state has rates for more than the optimizer's "
                    + groups + " groups");
        }
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        checkStateDict(state);
        lastStep = state.get("last_step").longValue();
        best = state.getOrDefault("best", minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
        badSteps = state.get("bad_steps").intValue();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).setLr(state.get("lr." + i));
        }
    }
}
