package dev.nabla.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes the learning rates of an optimizer's groups as steps (usually epochs) pass. Schedules
 * here are closed forms of the step count, so a scheduler's whole state is that count (plus what
 * {@link ReduceLROnPlateau} tracks) and resuming from a checkpoint reproduces the schedule exactly.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final double[] baseLrs;
    protected long lastStep;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.paramGroups();
        this.baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            baseLrs[i] = groups.get(i).lr();
        }
        this.lastStep = 0;
    }

    /** Learning rate of group {@code group} after {@code step} steps. */
    protected abstract double lrAt(int group, long step);

    /** Advances one step and writes the new learning rates into the optimizer. */
    public void step() {
        lastStep++;
        apply();
    }

    protected void apply() {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).setLr(lrAt(i, lastStep));
        }
    }

    /** The learning rates now in force, one per group. */
    public List<Double> lastLr() {
        List<Double> out = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) {
            out.add(g.lr());
        }
        return out;
    }

    public long lastStep() {
        return lastStep;
    }

    /** State as numbers by name, for checkpoints. */
    public Map<String, Double> stateDict() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("last_step", (double) lastStep);
        return out;
    }

    public void loadStateDict(Map<String, Double> state) {
        Double step = state.get("last_step");
        if (step == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state has no 'last_step'");
        }
        lastStep = step.longValue();
        apply();
    }
}
