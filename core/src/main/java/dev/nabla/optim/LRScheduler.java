package dev.nabla.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** The largest step count a state may hold: beyond 2^53 a double no longer counts every step. */
    static final double MAX_STEP = 0x1p53;

    /**
     * Refuses a state this scheduler cannot continue from exactly: a missing or unknown entry, a step count that is
     * not a whole number from 0 to 2^53. {@link #loadStateDict} calls it first; a checkpoint calls it before
     * changing anything.
     */
    public void checkStateDict(Map<String, Double> state) {
        Set<String> known = stateDict().keySet();
        for (String key : state.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown state '" + key
                        + "' (expected " + known + ")");
            }
        }
        requireWholeNumber(state, "last_step", MAX_STEP);
    }

    /** Refuses a missing entry, or one that is not a whole number from 0 to {@code max}. */
    protected final void requireWholeNumber(Map<String, Double> state, String key, double max) {
        Double value = state.get(key);
        if (value == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state has no '" + key + "'");
        }
        if (!(value >= 0 && value <= max && value == Math.rint(value))) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state '" + key
                    + "' must be a whole number from 0 to " + (long) max + ", found " + value);
        }
    }

    public void loadStateDict(Map<String, Double> state) {
        checkStateDict(state);
        lastStep = state.get("last_step").longValue();
        apply();
    }
}
