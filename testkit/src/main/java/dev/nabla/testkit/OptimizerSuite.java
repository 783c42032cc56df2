package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.optim.Adagrad;
import dev.nabla.optim.Adam;
import dev.nabla.optim.AdamW;
import dev.nabla.optim.GradientClipping;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.RMSprop;
import dev.nabla.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizers against PyTorch's update formulas written out per element in double precision, over a
 * few steps of a quadratic loss {@code sum(a p^2 / 2 + b p)} (gradient {@code a p + b}); parameter
 * groups, zeroGrad, state dict round trips, gradient clipping.
 */
public abstract class OptimizerSuite extends BackendTestBase {
    private static final int STEPS = 4;
    private static final double[] P1 = {0.5, -1.25, 2.0, 0.75, -0.3, 1.1};
    private static final double[] P2 = {-0.6, 0.9, 0.05, -2.0};
    private static final double[] A1 = {1.0, 2.0, 0.5, 3.0, 1.5, 0.25};
    private static final double[] B1 = {0.1, -0.2, 0.3, 0.0, -0.5, 0.4};
    private static final double[] A2 = {2.0, 0.5, 1.0, 0.75};
    private static final double[] B2 = {-0.3, 0.2, 0.1, 0.6};

    /** One element's update: returns the new value; {@code state} starts as zeros; {@code step} starts at 1. */
    @FunctionalInterface
    interface Rule {
        double update(double p, double g, double[] state, int step);
    }

    private static List<Tensor> params() {
        return params(DType.FLOAT64);
    }

    private static List<Tensor> params(DType dtype) {
        List<Tensor> ps = new ArrayList<>();
        ps.add(Tensor.of(P1.clone(), 2, 3).to(dtype).requiresGrad(true));
        ps.add(Tensor.of(P2.clone(), 4).to(dtype).requiresGrad(true));
        return ps;
    }

    private static void computeGradients(List<Tensor> ps) {
        Tensor loss = ps.get(0).square().mul(Tensor.of(A1, 2, 3)).mul(0.5).add(ps.get(0).mul(Tensor.of(B1, 2, 3))).sum()
                .add(ps.get(1).square().mul(Tensor.of(A2)).mul(0.5).add(ps.get(1).mul(Tensor.of(B2))).sum());
        loss.backward();
    }

    private static void train(Optimizer opt, List<Tensor> ps, int steps) {
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            computeGradients(ps);
            opt.step();
        }
    }

    /** The expected values of P1 and P2 after {@code steps} updates by {@code rule}. */
    private static double[][] naive(Rule rule, int steps) {
        return naive(rule, steps, DType.FLOAT64);
    }

    /** As above, starting from the parameters as stored in {@code dtype}. */
    private static double[][] naive(Rule rule, int steps, DType dtype) {
        double[][] p = {Tensor.of(P1.clone()).to(dtype).toDoubleArray(), Tensor.of(P2.clone()).to(dtype).toDoubleArray()};
        double[][] a = {A1, A2};
        double[][] b = {B1, B2};
        double[][][] state = {new double[P1.length][8], new double[P2.length][8]};
        for (int t = 1; t <= steps; t++) {
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < p[k].length; i++) {
                    double g = a[k][i] * p[k][i] + b[k][i];
                    p[k][i] = rule.update(p[k][i], g, state[k][i], t);
                }
            }
        }
        return p;
    }

    private void assertMatches(Function<List<Tensor>, Optimizer> make, Rule rule) {
        assertMatches(make, rule, DType.FLOAT64);
    }

    private void assertMatches(Function<List<Tensor>, Optimizer> make, Rule rule, DType dtype) {
        List<Tensor> ps = params(dtype);
        Optimizer opt = make.apply(ps);
        double rtol = dtype == DType.FLOAT64 ? 1e-10 : 2e-6;
        double atol = dtype == DType.FLOAT64 ? 1e-12 : 1e-6;
        for (int s = 1; s <= STEPS; s++) {
            opt.zeroGrad();
            computeGradients(ps);
            opt.step();
            double[][] expected = naive(rule, s, dtype);
            assertDType(dtype, ps.get(0));
            assertValuesWithin(ps.get(0), rtol, atol, expected[0]);
            assertValuesWithin(ps.get(1), rtol, atol, expected[1]);
        }
        assertTrue(ps.get(0).requiresGrad() && ps.get(0).isLeaf(), "updates stay out of the graph");
    }

    // ------------------------------------------------------------------ PyTorch's formulas

    static Rule sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        return (p, g, s, t) -> {
            double d = g + weightDecay * p;
            if (momentum != 0) {
                s[0] = t == 1 ? d : momentum * s[0] + (1 - dampening) * d;
                d = nesterov ? d + momentum * s[0] : s[0];
            }
            return p - lr * d;
        };
    }

    static Rule adam(double lr, double b1, double b2, double eps, double weightDecay, boolean decoupled) {
        return (p, g, s, t) -> {
            if (decoupled) {
                p *= 1 - lr * weightDecay;
            } else {
                g += weightDecay * p;
            }
            s[0] = b1 * s[0] + (1 - b1) * g;
            s[1] = b2 * s[1] + (1 - b2) * g * g;
            double bc1 = 1 - Math.pow(b1, t);
            double bc2 = 1 - Math.pow(b2, t);
            return p - lr / bc1 * s[0] / (Math.sqrt(s[1]) / Math.sqrt(bc2) + eps);
        };
    }

    static Rule rmsprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        return (p, g, s, t) -> {
            g += weightDecay * p;
            s[0] = alpha * s[0] + (1 - alpha) * g * g;
            double avg;
            if (centered) {
                s[1] = alpha * s[1] + (1 - alpha) * g;
                avg = Math.sqrt(s[0] - s[1] * s[1]) + eps;
            } else {
                avg = Math.sqrt(s[0]) + eps;
            }
            if (momentum > 0) {
                s[2] = momentum * s[2] + g / avg;
                return p - lr * s[2];
            }
            return p - lr * g / avg;
        };
    }

    static Rule adagrad(double lr, double lrDecay, double weightDecay, double initial, double eps) {
        return (p, g, s, t) -> {
            if (t == 1) {
                s[0] = initial;
            }
            g += weightDecay * p;
            double clr = lr / (1 + (t - 1) * lrDecay);
            s[0] += g * g;
            return p - clr * g / (Math.sqrt(s[0]) + eps);
        };
    }

    // ------------------------------------------------------------------ update steps

    @Test
    void sgdPlainAndWithWeightDecay() {
        assertMatches(ps -> new SGD(ps, 0.1), sgd(0.1, 0, 0, 0, false));
        assertMatches(ps -> new SGD(ps, 0.05, 0, 0, 0.01, false), sgd(0.05, 0, 0, 0.01, false));
    }

    @Test
    void sgdWithMomentumAndDampening() {
        assertMatches(ps -> new SGD(ps, 0.1, 0.9, 0, 0, false), sgd(0.1, 0.9, 0, 0, false));
        assertMatches(ps -> new SGD(ps, 0.1, 0.8, 0.3, 0.02, false), sgd(0.1, 0.8, 0.3, 0.02, false));
    }

    @Test
    void sgdWithNesterovMomentum() {
        assertMatches(ps -> new SGD(ps, 0.1, 0.9, 0, 0.01, true), sgd(0.1, 0.9, 0, 0.01, true));
        assertThrows(IllegalArgumentException.class, () -> new SGD(params(), 0.1, 0, 0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new SGD(params(), 0.1, 0.9, 0.1, 0, true));
    }

    @Test
    void adamWithDefaultsAndWithL2WeightDecay() {
        assertMatches(ps -> new Adam(ps, 0.01), adam(0.01, 0.9, 0.999, 1e-8, 0, false));
        assertMatches(ps -> new Adam(ps, 0.05, 0.8, 0.95, 1e-6, 0.1), adam(0.05, 0.8, 0.95, 1e-6, 0.1, false));
    }

    @Test
    void adamWDecaysWeightsDecoupled() {
        assertMatches(ps -> new AdamW(ps, 0.01), adam(0.01, 0.9, 0.999, 1e-8, 0.01, true));
        assertMatches(ps -> new AdamW(ps, 0.05, 0.85, 0.99, 1e-7, 0.2), adam(0.05, 0.85, 0.99, 1e-7, 0.2, true));
    }

    @Test
    void rmspropPlainCenteredAndWithMomentum() {
        assertMatches(ps -> new RMSprop(ps, 0.01), rmsprop(0.01, 0.99, 1e-8, 0, 0, false));
        assertMatches(ps -> new RMSprop(ps, 0.01, 0.9, 1e-6, 0.05, 0, true), rmsprop(0.01, 0.9, 1e-6, 0.05, 0, true));
        assertMatches(ps -> new RMSprop(ps, 0.02, 0.95, 1e-8, 0, 0.7, false), rmsprop(0.02, 0.95, 1e-8, 0, 0.7, false));
        assertMatches(ps -> new RMSprop(ps, 0.02, 0.95, 1e-8, 0.01, 0.5, true), rmsprop(0.02, 0.95, 1e-8, 0.01, 0.5, true));
    }

    @Test
    void adagradWithLearningRateDecay() {
        assertMatches(ps -> new Adagrad(ps, 0.1), adagrad(0.1, 0, 0, 0, 1e-10));
        assertMatches(ps -> new Adagrad(ps, 0.1, 0.5, 0.01, 0.2, 1e-8), adagrad(0.1, 0.5, 0.01, 0.2, 1e-8));
    }

    @Test
    void float32ParametersTakeTheSameSteps() {
        // FLOAT32 parameters may take a backend's fused update (e.g. Adam); the formulas are the same.
        assertMatches(ps -> new Adam(ps, 0.01), adam(0.01, 0.9, 0.999, 1e-8, 0, false), DType.FLOAT32);
        assertMatches(ps -> new Adam(ps, 0.05, 0.8, 0.95, 1e-6, 0.1), adam(0.05, 0.8, 0.95, 1e-6, 0.1, false), DType.FLOAT32);
        assertMatches(ps -> new AdamW(ps, 0.05, 0.85, 0.99, 1e-7, 0.2), adam(0.05, 0.85, 0.99, 1e-7, 0.2, true), DType.FLOAT32);
        assertMatches(ps -> new SGD(ps, 0.1, 0.8, 0, 0.02, true), sgd(0.1, 0.8, 0, 0.02, true), DType.FLOAT32);
        assertMatches(ps -> new SGD(ps, 0.1, 0.8, 0.3, 0.02, false), sgd(0.1, 0.8, 0.3, 0.02, false), DType.FLOAT32);
        assertMatches(ps -> new RMSprop(ps, 0.02, 0.95, 1e-8, 0.01, 0.5, true), rmsprop(0.02, 0.95, 1e-8, 0.01, 0.5, true),
                DType.FLOAT32);
        assertMatches(ps -> new Adagrad(ps, 0.1, 0.5, 0.01, 0.2, 1e-8), adagrad(0.1, 0.5, 0.01, 0.2, 1e-8), DType.FLOAT32);
    }

    @Test
    void adamOnALargeFloat32ParameterMatchesTheFormula() {
        // large enough for a backend to split the fused update across threads
        int n = 100_003;
        double[] init = NnReference.random(300, n, -1, 1);
        double[] target = NnReference.random(301, n, -1, 1);
        Tensor p = NnReference.f32(init, n).requiresGrad(true);
        Tensor t = NnReference.f32(target, n);
        Adam opt = new Adam(List.of(p), 0.01, 0.9, 0.999, 1e-8, 0.05);
        Rule rule = adam(0.01, 0.9, 0.999, 1e-8, 0.05, false);
        double[][] state = new double[n][2];
        double[] expected = init.clone();
        for (int step = 1; step <= 3; step++) {
            opt.zeroGrad();
            p.sub(t).square().sum().backward();
            opt.step();
            for (int i = 0; i < n; i++) {
                expected[i] = rule.update(expected[i], 2 * ((float) expected[i] - target[i]), state[i], step);
            }
        }
        assertValuesWithin(p, 1e-5, 1e-6, expected);
    }

    @Test
    void sgdHandComputed() {
        // p = 1, gradient 2p = 2: momentum buffer 2, then 0.9 * 2 + 2 * (p = 0.8) = 3.4
        Tensor p = Tensor.of(new double[]{1}).requiresGrad(true);
        SGD opt = new SGD(List.of(p), 0.1, 0.9, 0, 0, false);
        p.square().sum().backward();
        opt.step();
        assertValues(p, 0.8);
        opt.zeroGrad();
        p.square().sum().backward();
        opt.step();
        assertValues(p, 0.8 - 0.1 * 3.4);
    }

    // ------------------------------------------------------------------ groups, gradients, state

    @Test
    void parameterGroupsUseTheirOwnOptions() {
        List<Tensor> ps = params();
        SGD opt = new SGD(List.of(ps.get(0)), 0.1);
        opt.addParamGroup(List.of(ps.get(1)), Map.of("lr", 0.01, "momentum", 0.5));
        assertEquals(2, opt.paramGroups().size());
        assertEquals(0.1, opt.paramGroups().get(0).lr());
        assertEquals(0.01, opt.paramGroups().get(1).lr());
        assertEquals(0.0, opt.paramGroups().get(0).get("momentum"));
        train(opt, ps, 3);
        assertValuesWithin(ps.get(0), 1e-12, 1e-12, naive(sgd(0.1, 0, 0, 0, false), 3)[0]);
        assertValuesWithin(ps.get(1), 1e-12, 1e-12, naive(sgd(0.01, 0.5, 0, 0, false), 3)[1]);
        opt.setLr(0.2);
        assertEquals(0.2, opt.paramGroups().get(1).lr());
        assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(List.of(ps.get(0)), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> opt.addParamGroup(List.of(Tensor.zeros(1).requiresGrad(true)), Map.of("betas", 0.5)));
        assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(List.of(), Map.of()));
    }

    @Test
    void zeroGradClearsGradientsAndParametersWithoutGradientsAreSkipped() {
        List<Tensor> ps = params();
        Adam opt = new Adam(ps, 0.1);
        computeGradients(ps);
        opt.zeroGrad();
        assertNull(ps.get(0).grad());
        assertNull(ps.get(1).grad());
        // only the first parameter gets a gradient: the second keeps its value and gets no state
        ps.get(0).sum().backward();
        opt.step();
        assertArrayEquals(P2, ps.get(1).toDoubleArray());
        assertFalse(java.util.Arrays.equals(P1, ps.get(0).toDoubleArray()));
        assertTrue(opt.stateDict().containsKey("state.0.exp_avg"));
        assertFalse(opt.stateDict().containsKey("state.1.exp_avg"));
    }

    @Test
    void stateDictHasTorchLikeKeys() {
        List<Tensor> ps = params();
        Adam opt = new Adam(List.of(ps.get(0)), 0.01);
        opt.addParamGroup(List.of(ps.get(1)), Map.of("lr", 0.5));
        train(opt, ps, 2);
        Map<String, Tensor> state = opt.stateDict();
        for (String key : new String[]{"group.0.lr", "group.0.beta1", "group.0.beta2", "group.0.eps", "group.0.weight_decay",
                "group.1.lr", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step", "state.1.exp_avg", "state.1.step"}) {
            assertTrue(state.containsKey(key), () -> "missing " + key + " in " + state.keySet());
        }
        assertEquals(0.5, state.get("group.1.lr").item());
        assertLongs(state.get("state.1.step"), 2);
        assertShape(state.get("state.1.exp_avg_sq"), 4);
    }

    @Test
    void stateDictRoundTripContinuesIdentically() {
        List<Function<List<Tensor>, Optimizer>> makers = List.of(
                ps -> new SGD(ps, 0.1, 0.9, 0.1, 0.01, false),
                ps -> new Adam(ps, 0.05, 0.8, 0.9, 1e-8, 0.01),
                ps -> new AdamW(ps, 0.05),
                ps -> new RMSprop(ps, 0.01, 0.9, 1e-8, 0, 0.5, true),
                ps -> new Adagrad(ps, 0.1, 0.3, 0, 0.1, 1e-10));
        for (var make : makers) {
            List<Tensor> a = params();
            Optimizer optA = make.apply(a);
            train(optA, a, 2);
            optA.paramGroups().get(0).setLr(0.03); // as a scheduler would
            Map<String, Tensor> saved = optA.stateDict();

            List<Tensor> b = params();
            for (int i = 0; i < 2; i++) {
                try (var off = dev.nabla.autograd.GradMode.noGrad()) {
                    b.get(i).copyFrom(a.get(i));
                }
            }
            Optimizer optB = make.apply(b);
            optB.loadStateDict(saved);
            assertEquals(0.03, optB.paramGroups().get(0).lr(), "group options are restored");
            // the saved tensors are copies: training A further must not change what B loaded
            train(optA, a, 3);
            train(optB, b, 3);
            String name = optA.getClass().getSimpleName();
            assertArrayEquals(a.get(0).toDoubleArray(), b.get(0).toDoubleArray(), name);
            assertArrayEquals(a.get(1).toDoubleArray(), b.get(1).toDoubleArray(), name);
        }
    }

    @Test
    void loadingAMismatchedStateDictFailsAndChangesNothing() {
        List<Tensor> ps = params();
        Adam opt = new Adam(ps, 0.05);
        train(opt, ps, 2);
        Map<String, Tensor> good = opt.stateDict();
        Map<String, double[]> before = snapshot(opt);

        Map<String, Tensor> wrongShape = new LinkedHashMap<>(good);
        wrongShape.put("group.0.lr", Tensor.scalar(DType.FLOAT64, 9));
        wrongShape.put("state.1.exp_avg", Tensor.zeros(DType.FLOAT64, 5));
        ShapeException e = assertThrows(ShapeException.class, () -> opt.loadStateDict(wrongShape));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[4]"), e.getMessage());

        Map<String, Tensor> tooMany = new LinkedHashMap<>(good);
        tooMany.put("state.7.exp_avg", Tensor.zeros(DType.FLOAT64, 4));
        assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(tooMany));
        Map<String, Tensor> badKey = new LinkedHashMap<>(good);
        badKey.put("momentum", Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(badKey));
        assertUnchanged(opt, before);
    }

    /** Loads {@code dict} into {@code opt}, expects a refusal mentioning {@code words}, and checks nothing changed. */
    private static void assertRefusedUnchanged(Optimizer opt, Map<String, Tensor> dict, String... words) {
        Map<String, double[]> before = snapshot(opt);
        RuntimeException e = assertThrows(RuntimeException.class, () -> opt.loadStateDict(dict));
        assertTrue(e instanceof IllegalArgumentException || e instanceof ShapeException,
                () -> "a typed refusal, found " + e);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), () -> "'" + w + "' in: " + e.getMessage());
        }
        assertUnchanged(opt, before);
    }

    /** The values of {@code opt}'s state dict, copied. */
    private static Map<String, double[]> snapshot(Optimizer opt) {
        Map<String, double[]> values = new LinkedHashMap<>();
        opt.stateDict().forEach((k, v) -> values.put(k, v.toDoubleArray()));
        return values;
    }

    /** {@code opt}'s state dict has the same keys and values as the {@link #snapshot} {@code before}. */
    private static void assertUnchanged(Optimizer opt, Map<String, double[]> before) {
        Map<String, Tensor> after = opt.stateDict();
        assertEquals(before.keySet(), after.keySet(), "nothing added or removed");
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k).toDoubleArray(), k));
    }

    private static Map<String, Tensor> edited(Map<String, Tensor> dict, String remove, String addKey, Tensor addValue) {
        Map<String, Tensor> copy = new LinkedHashMap<>(dict);
        if (remove != null) {
            copy.remove(remove);
        }
        if (addKey != null) {
            copy.put(addKey, addValue);
        }
        return copy;
    }

    @Test
    void damagedStateDictsAreRefusedWholeBeforeAnythingChanges() {
        List<Tensor> ps = params();
        Adam opt = new Adam(ps, 0.05);
        train(opt, ps, 2);
        Map<String, Tensor> good = opt.stateDict();
        Tensor avg = good.get("state.0.exp_avg");
        Tensor step = good.get("state.0.step");
        // the bad entry sorts after good ones in iteration order, so a loader applying as it goes would half-load
        assertRefusedUnchanged(opt, edited(good, null, "group.-1.lr", Tensor.scalar(DType.FLOAT64, 1)), "group.-1.lr");
        assertRefusedUnchanged(opt, edited(good, null, "state.-1.step", step), "state.-1.step", "index");
        assertRefusedUnchanged(opt, edited(good, null, "state.x.exp_avg", avg), "state.x.exp_avg");
        assertRefusedUnchanged(opt, edited(good, null, "state.2147483648.step", step), "state.2147483648.step");
        assertRefusedUnchanged(opt, edited(good, null, "state.01.step", step), "state.01.step");
        assertRefusedUnchanged(opt, edited(good, null, "state.0.exp_avgX", avg), "exp_avgX", "unknown state");
        assertRefusedUnchanged(opt, edited(good, null, "group.0.momentum", Tensor.scalar(DType.FLOAT64, 0.9)),
                "momentum", "unknown option");
        assertRefusedUnchanged(opt, edited(good, "state.1.exp_avg", null, null), "state.1.exp_avg", "missing");
        assertRefusedUnchanged(opt, edited(good, "state.1.step", null, null), "state.1.step", "missing");
        assertRefusedUnchanged(opt, edited(good, "group.0.eps", null, null), "group.0.eps", "missing");
        assertRefusedUnchanged(opt, edited(good, null, "group.0.lr", Tensor.scalar(DType.FLOAT64, Double.NaN)), "lr");
        assertRefusedUnchanged(opt, edited(good, null, "group.0.beta1", Tensor.scalar(DType.FLOAT64, 1.5)), "beta1");
        assertRefusedUnchanged(opt, edited(good, null, "state.0.step", Tensor.of(new long[]{0}).reshape()), "step");
        assertRefusedUnchanged(opt, edited(good, null, "state.0.step", Tensor.scalar(DType.FLOAT64, 2)), "INT64");
        assertRefusedUnchanged(opt, edited(good, null, "state.0.exp_avg", avg.to(DType.FLOAT32)), "dtype");
        opt.loadStateDict(good); // the undamaged dict still loads
    }

    @Test
    void invalidOptionsAreRefusedWhenTheOptimizerIsMade() {
        List<Tensor> ps = params();
        for (double lr : new double[]{Double.NaN, -1, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException adam = assertThrows(IllegalArgumentException.class, () -> new Adam(ps, lr));
            assertTrue(adam.getMessage().contains("Adam") && adam.getMessage().contains(String.valueOf(lr)),
                    adam.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new SGD(ps, lr));
            assertThrows(IllegalArgumentException.class, () -> new RMSprop(ps, lr));
            assertThrows(IllegalArgumentException.class, () -> new Adagrad(ps, lr));
        }
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1, 1.0, 0.999, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1, 0.9, -0.1, 1e-8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1, 0.9, 0.999, -1e-8, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, -0.9, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0, 0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(ps, 0.1, 0.99, 1e-8, -1, 0, false));
        Adam ok = new Adam(List.of(ps.get(0)), 0); // a zero rate is allowed, as in PyTorch
        assertThrows(IllegalArgumentException.class, () -> ok.addParamGroup(List.of(ps.get(1)), Map.of("lr", -0.5)));
    }

    @Test
    void stateDictsListOptionsInNameOrder() {
        Map<String, Tensor> state = new Adam(params(), 0.1).stateDict();
        List<String> keys = new ArrayList<>(state.keySet());
        assertEquals(List.of("group.0.beta1", "group.0.beta2", "group.0.eps", "group.0.lr", "group.0.weight_decay"), keys);
    }

    // ------------------------------------------------------------------ clipping

    private static List<Tensor> withGradients(double[]... grads) {
        List<Tensor> ps = new ArrayList<>();
        for (double[] g : grads) {
            Tensor p = Tensor.zeros(DType.FLOAT64, g.length).requiresGrad(true);
            p.mul(Tensor.of(g)).sum().backward();
            ps.add(p);
        }
        return ps;
    }

    @Test
    void clipGradNormScalesAllGradientsTogether() {
        List<Tensor> ps = withGradients(new double[]{3, 4}, new double[]{12});
        Tensor noGrad = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        List<Tensor> all = new ArrayList<>(ps);
        all.add(noGrad);
        assertEquals(13, GradientClipping.clipGradNorm(all, 6.5), 1e-12);
        double c = 6.5 / (13 + 1e-6);
        assertValues(ps.get(0).grad(), 3 * c, 4 * c);
        assertValues(ps.get(1).grad(), 12 * c);
        assertNull(noGrad.grad());

        List<Tensor> small = withGradients(new double[]{3, 4}, new double[]{12});
        assertEquals(13, GradientClipping.clipGradNorm(small, 20), 1e-12);
        assertValues(small.get(0).grad(), 3, 4);

        List<Tensor> inf = withGradients(new double[]{3, -4}, new double[]{-12});
        assertEquals(12, GradientClipping.clipGradNorm(inf, 6, Double.POSITIVE_INFINITY), 1e-12);
        double ci = 6 / (12 + 1e-6);
        assertValues(inf.get(1).grad(), -12 * ci);

        List<Tensor> l1 = withGradients(new double[]{3, -4}, new double[]{-12});
        assertEquals(19, GradientClipping.clipGradNorm(l1, 100, 1), 1e-12);
    }

    @Test
    void clipGradNormTensorClipsOnTheDevice() {
        List<Tensor> ps = withGradients(new double[]{3, 4}, new double[]{12});
        Tensor total = GradientClipping.clipGradNormTensor(ps, 6.5, 2);
        assertShape(total);
        assertEquals(device(), total.device());
        double c = 6.5 / (13 + 1e-6);
        assertValues(ps.get(0).grad(), 3 * c, 4 * c);
        assertValuesWithin(total, 1e-12, 0, 13);
        // under the limit every gradient is multiplied by exactly 1
        List<Tensor> small = withGradients(new double[]{3, 4}, new double[]{12});
        GradientClipping.clipGradNormTensor(small, 20, 2);
        assertValues(small.get(0).grad(), 3, 4);
        assertValues(small.get(1).grad(), 12);
        assertValues(GradientClipping.clipGradNormTensor(List.of(Tensor.zeros(2).requiresGrad(true)), 1, 2), 0);
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNormTensor(ps, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNormTensor(ps, 1, 0));
    }

    @Test
    void clipGradValueClampsEachElement() {
        List<Tensor> ps = withGradients(new double[]{0.2, -3, 1.5}, new double[]{-0.4});
        GradientClipping.clipGradValue(ps, 0.5);
        assertValues(ps.get(0).grad(), 0.2, -0.5, 0.5);
        assertValues(ps.get(1).grad(), -0.4);
    }
}
