package dev.nabla.testkit;

import dev.nabla.Tensor;
import dev.nabla.optim.CosineAnnealingLR;
import dev.nabla.optim.ExponentialLR;
import dev.nabla.optim.LRScheduler;
import dev.nabla.optim.LinearWarmupLR;
import dev.nabla.optim.MultiStepLR;
import dev.nabla.optim.OneCycleLR;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.ReduceLROnPlateau;
import dev.nabla.optim.SGD;
import dev.nabla.optim.StepLR;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Learning-rate schedules against their closed forms (PyTorch's definitions) at every step,
 * per-group base rates, ReduceLROnPlateau's patience/factor/threshold/min lr, and state dict
 * round trips.
 */
public abstract class SchedulerSuite extends BackendTestBase {
    private static final double BASE = 0.1;

    private static SGD optimizer(double lr) {
        return new SGD(List.of(Tensor.zeros(2).requiresGrad(true)), lr);
    }

    private static double lr(Optimizer opt) {
        return opt.paramGroups().get(0).lr();
    }

    /** lr before any step is {@code expected(0)}, after k steps {@code expected(k)}. */
    private static void assertSchedule(Function<Optimizer, LRScheduler> make, int steps, LongToDoubleFunction expected) {
        SGD opt = optimizer(BASE);
        LRScheduler s = make.apply(opt);
        assertEquals(expected.applyAsDouble(0), lr(opt), 1e-15, "initial learning rate");
        for (int k = 1; k <= steps; k++) {
            s.step();
            final int step = k;
            assertEquals(expected.applyAsDouble(k), lr(opt), 1e-15, () -> "learning rate after step " + step);
            assertEquals(expected.applyAsDouble(k), s.lastLr().get(0), 1e-15);
            assertEquals(k, s.lastStep());
        }
    }

    @Test
    void stepLR() {
        double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025};
        assertSchedule(o -> new StepLR(o, 3, 0.5), 7, k -> expected[(int) k]);
        assertThrows(IllegalArgumentException.class, () -> new StepLR(optimizer(BASE), 0, 0.5));
    }

    @Test
    void multiStepLR() {
        // milestones given unsorted: 5 and 2
        assertSchedule(o -> new MultiStepLR(o, new int[]{5, 2}, 0.1), 8,
                k -> k < 2 ? 0.1 : k < 5 ? 0.1 * 0.1 : 0.1 * 0.1 * 0.1);
    }

    @Test
    void exponentialLR() {
        assertSchedule(o -> new ExponentialLR(o, 0.9), 6, k -> 0.1 * Math.pow(0.9, k));
    }

    @Test
    void cosineAnnealingLR() {
        assertSchedule(o -> new CosineAnnealingLR(o, 10, 0.001), 10,
                k -> 0.001 + (0.1 - 0.001) * (1 + Math.cos(Math.PI * k / 10)) / 2);
        SGD opt = optimizer(BASE);
        CosineAnnealingLR s = new CosineAnnealingLR(opt, 4, 0);
        for (int k = 0; k < 2; k++) {
            s.step();
        }
        assertEquals(0.05, lr(opt), 1e-15, "half way is the midpoint");
        s.step();
        s.step();
        assertEquals(0, lr(opt), 1e-15, "etaMin at tMax");
        s.step();
        assertEquals(0.1 * (1 + Math.cos(Math.PI * 5 / 4)) / 2, lr(opt), 1e-15,
                "past tMax the closed form rises again, as in PyTorch");
    }

    @Test
    void linearWarmupLR() {
        // PyTorch's LinearLR(start_factor=0.25, end_factor=1, total_iters=4): applied on creation
        assertSchedule(o -> new LinearWarmupLR(o, 0.25, 4), 7, k -> 0.1 * (0.25 + 0.75 * Math.min(k, 4) / 4.0));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmupLR(optimizer(BASE), 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmupLR(optimizer(BASE), 0.5, 0));
    }

    /** PyTorch's OneCycleLR (cos, two phases) written from its definition. */
    private static double oneCycle(long step, double maxLr, long total, double pct, double div, double finalDiv) {
        double initial = maxLr / div;
        double min = initial / finalDiv;
        double end1 = pct * total - 1;
        double end2 = total - 1;
        if (step <= end1) {
            double f = step / end1;
            return maxLr + (initial - maxLr) / 2 * (Math.cos(Math.PI * f) + 1);
        }
        double f = (step - end1) / (end2 - end1);
        return min + (maxLr - min) / 2 * (Math.cos(Math.PI * f) + 1);
    }

    @Test
    void oneCycleLRWithPyTorchDefaults() {
        // defaults: pct_start 0.3, div_factor 25, final_div_factor 1e4
        assertSchedule(o -> new OneCycleLR(o, 1.0, 100), 99, k -> oneCycle(k, 1.0, 100, 0.3, 25, 1e4));
        SGD opt = optimizer(BASE);
        OneCycleLR s = new OneCycleLR(opt, 1.0, 10);
        assertEquals(0.04, lr(opt), 1e-15, "starts at max_lr / 25");
        s.step();
        assertEquals(0.52, lr(opt), 1e-15, "half way up: (0.04 + 1) / 2");
        s.step();
        assertEquals(1.0, lr(opt), 1e-15, "peak at step pct_start * total - 1 = 2");
        for (int k = 3; k <= 9; k++) {
            s.step();
        }
        assertEquals(0.04 / 1e4, lr(opt), 1e-18, "ends at initial / final_div_factor");
    }

    @Test
    void oneCycleLRCyclesMomentumInverselyByDefault() {
        // PyTorch's default cycle_momentum=True, base_momentum=0.85, max_momentum=0.95: momentum (SGD) or beta1 (Adam)
        // starts at 0.95, falls to 0.85 while the rate rises, and climbs back to 0.95 while it falls.
        SGD sgd = new SGD(List.of(Tensor.zeros(2).requiresGrad(true)), 0.1, 0.9, 0, 0, false);
        dev.nabla.optim.Adam adam = new dev.nabla.optim.Adam(List.of(Tensor.zeros(2).requiresGrad(true)), 0.1);
        OneCycleLR s1 = new OneCycleLR(sgd, 1.0, 10);
        OneCycleLR s2 = new OneCycleLR(adam, 1.0, 10);
        double[] expected = new double[10];
        for (int k = 0; k < 10; k++) {
            double f = k <= 2 ? k / 2.0 : (k - 2) / 7.0;
            double start = k <= 2 ? 0.95 : 0.85;
            double end = k <= 2 ? 0.85 : 0.95;
            expected[k] = end + (start - end) / 2 * (Math.cos(Math.PI * f) + 1);
        }
        for (int k = 0; k < 10; k++) {
            assertEquals(expected[k], sgd.paramGroups().get(0).get("momentum"), 1e-12, "SGD momentum at step " + k);
            assertEquals(expected[k], adam.paramGroups().get(0).get("beta1"), 1e-12, "Adam beta1 at step " + k);
            if (k < 9) {
                s1.step();
                s2.step();
            }
        }
    }

    @Test
    void oneCycleLRWithCustomPhases() {
        assertSchedule(o -> new OneCycleLR(o, 0.5, 40, 0.25, 10, 100), 39, k -> oneCycle(k, 0.5, 40, 0.25, 10, 100));
        assertThrows(IllegalArgumentException.class, () -> new OneCycleLR(optimizer(BASE), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new OneCycleLR(optimizer(BASE), 1, 10, 1.0, 25, 1e4));
    }

    @Test
    void schedulesScaleEachGroupFromItsOwnBaseRate() {
        SGD opt = optimizer(0.1);
        opt.addParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)), Map.of("lr", 0.02));
        StepLR s = new StepLR(opt, 1, 0.5);
        s.step();
        s.step();
        assertEquals(List.of(0.025, 0.005), s.lastLr());
    }

    // ------------------------------------------------------------------ ReduceLROnPlateau

    @Test
    void reduceLROnPlateauWaitsPatienceStepsThenReducesDownToMinLr() {
        SGD opt = optimizer(BASE);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, true, 0.5, 2, 1e-4, 0.02);
        double[] metrics = {1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
        double[] expected = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02};
        for (int i = 0; i < metrics.length; i++) {
            s.step(metrics[i]);
            assertEquals(expected[i], lr(opt), 1e-15, "after metric " + i);
        }
        assertThrows(UnsupportedOperationException.class, s::step);
    }

    @Test
    void reduceLROnPlateauRelativeThresholdAndMaxMode() {
        SGD opt = optimizer(BASE);
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt, true, 0.1, 0, 0.01, 0);
        s.step(1.0);
        s.step(0.995); // not 1% better: a bad step, patience 0 reduces at once
        assertEquals(0.01, lr(opt), 1e-15);
        s.step(0.98);  // 2% better than the best (1.0): improvement
        assertEquals(0.01, lr(opt), 1e-15);

        SGD opt2 = optimizer(BASE);
        ReduceLROnPlateau max = new ReduceLROnPlateau(opt2, false, 0.5, 1);
        max.step(0.5);
        max.step(0.6);
        max.step(0.55);
        assertEquals(0.1, lr(opt2), 1e-15);
        max.step(0.59);
        assertEquals(0.05, lr(opt2), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(optimizer(BASE), true, 1.0, 2));
    }

    // ------------------------------------------------------------------ state dicts

    @Test
    void stateDictRoundTripContinuesTheSchedule() {
        List<Function<Optimizer, LRScheduler>> makers = List.of(
                o -> new StepLR(o, 2, 0.5), o -> new MultiStepLR(o, new int[]{1, 4}, 0.3), o -> new ExponentialLR(o, 0.8),
                o -> new CosineAnnealingLR(o, 9, 0.01), o -> new LinearWarmupLR(o, 0.1, 6), o -> new OneCycleLR(o, 1, 20));
        for (var make : makers) {
            SGD a = optimizer(BASE);
            LRScheduler sa = make.apply(a);
            for (int k = 0; k < 5; k++) {
                sa.step();
            }
            Map<String, Double> state = sa.stateDict();
            SGD b = optimizer(BASE);
            LRScheduler sb = make.apply(b);
            sb.loadStateDict(state);
            String name = sa.getClass().getSimpleName();
            assertEquals(lr(a), lr(b), 0, name + " restores the current rate");
            assertEquals(5, sb.lastStep());
            for (int k = 0; k < 4; k++) {
                sa.step();
                sb.step();
                assertEquals(lr(a), lr(b), 0, name);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new StepLR(optimizer(BASE), 2, 0.5).loadStateDict(Map.of()));
    }

    @Test
    void reduceLROnPlateauStateDictRoundTrip() {
        SGD a = optimizer(BASE);
        ReduceLROnPlateau sa = new ReduceLROnPlateau(a, true, 0.5, 2);
        for (double m : new double[]{1.0, 0.8, 0.9, 0.9, 0.9, 0.85}) {
            sa.step(m);
        }
        assertEquals(0.05, lr(a), 1e-15);
        SGD b = optimizer(BASE);
        ReduceLROnPlateau sb = new ReduceLROnPlateau(b, true, 0.5, 2);
        sb.loadStateDict(sa.stateDict());
        assertEquals(0.05, lr(b), 1e-15, "the reduced rate is restored");
        for (double m : new double[]{0.85, 0.85, 0.85, 0.7, 0.9, 0.9, 0.9}) {
            sa.step(m);
            sb.step(m);
            assertEquals(lr(a), lr(b), 0);
        }
        assertEquals(0.0125, lr(b), 1e-15);
    }

    @Test
    void aStateThatCannotContinueTheScheduleIsRefusedAndChangesNothing() {
        SGD a = optimizer(BASE);
        StepLR s = new StepLR(a, 2, 0.5);
        s.step();
        s.step();
        double rate = lr(a);
        for (double bad : new double[]{-5, 1e30, 2.5, Double.NaN, 0x1p53 + 2}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.loadStateDict(Map.of("last_step", bad)), () -> "last_step " + bad);
            assertTrue(e.getMessage().contains("last_step"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(Map.of("last_step", 1.0, "lastStep", 3.0)));
        assertEquals(2, s.lastStep());
        assertEquals(rate, lr(a), 0);

        ReduceLROnPlateau plateau = new ReduceLROnPlateau(optimizer(BASE), true, 0.5, 2);
        Map<String, Double> fresh = plateau.stateDict(); // no 'best' yet: JSON cannot hold its infinity
        ReduceLROnPlateau other = new ReduceLROnPlateau(optimizer(BASE), true, 0.5, 2);
        other.loadStateDict(fresh);
        Map<String, Double> noRate = new java.util.HashMap<>(fresh);
        noRate.remove("lr.0");
        assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(noRate));
        Map<String, Double> negativeBadSteps = new java.util.HashMap<>(fresh);
        negativeBadSteps.put("bad_steps", -1.0);
        assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(negativeBadSteps));
    }
}
