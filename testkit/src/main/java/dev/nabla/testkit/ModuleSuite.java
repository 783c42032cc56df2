package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Node;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.Tracing;
import dev.nabla.engine.FusedOps;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.ops.Op;
import dev.nabla.ops.Tracer;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Module} bookkeeping with PyTorch's semantics: registration order, dotted names, state dicts
 * with buffers, strict and non-strict loading that changes nothing when it fails, train/eval,
 * apply, zeroGrad, toString and parameter counts.
 */
public abstract class ModuleSuite extends BackendTestBase {

    /** A module that registers members in a mixed order: parameter, child, buffer, parameter. */
    static final class Mixed extends Module {
        final Linear inner;

        Mixed() {
            registerParameter("alpha", Tensor.ones(2));
            inner = registerModule("inner", new Linear(2, 3));
            registerBuffer("count", Tensor.zeros(DType.INT64, 1));
            registerParameter("beta", Tensor.zeros(3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return inner.forward(x.mul(parameter("alpha"))).add(parameter("beta"));
        }
    }

    /** Nested: a Sequential inside a custom module inside a Sequential. */
    static final class Net extends Module {
        Net() {
            registerModule("features", new Sequential(new Linear(4, 5), new BatchNorm1d(5), Activation.relu()));
            registerModule("head", new Mixed());
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = namedChildren().get("features").forward(x);
            return namedChildren().get("head").forward(h.narrow(1, 0, 2));
        }
    }

    static Module mlp() {
        return new Sequential(new Flatten(), new Linear(784, 256), Activation.relu(), new Linear(256, 128),
                Activation.relu(), new Linear(128, 10));
    }

    static Module cnn() {
        return new Sequential(new Conv2d(1, 32, 3, 1, 1), Activation.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1), Activation.relu(), new MaxPool2d(2),
                new Flatten(), new Linear(3136, 128), Activation.relu(), new Linear(128, 10));
    }

    private static Map<String, double[]> snapshot(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    private static void assertUnchanged(Map<String, double[]> before, Module m) {
        Map<String, double[]> after = snapshot(m);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), () -> k + " changed"));
    }

    // ------------------------------------------------------------------ names and order

    @Test
    void ownParametersComeFirstInRegistrationOrderThenChildren() {
        Mixed m = new Mixed();
        assertEquals(List.of("alpha", "beta", "inner.weight", "inner.bias"), List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.of("alpha", "beta", "count", "inner.weight", "inner.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(List.of("count"), List.copyOf(m.namedBuffers().keySet()));
        assertEquals(List.of("inner"), List.copyOf(m.namedChildren().keySet()));
        List<Tensor> params = m.parameters();
        assertSame(m.parameter("alpha"), params.get(0));
        assertSame(m.inner.weight(), params.get(2));
    }

    @Test
    void nestedModulesUseDottedNames() {
        Net net = new Net();
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                        "head.alpha", "head.beta", "head.inner.weight", "head.inner.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("", "features", "features.0", "features.1", "features.2", "head", "head.inner"),
                List.copyOf(net.namedModules().keySet()));
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias",
                        "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked",
                        "head.alpha", "head.beta", "head.count", "head.inner.weight", "head.inner.bias"),
                List.copyOf(net.stateDict().keySet()));
    }

    @Test
    void parametersRequireGradAndBuffersDoNot() {
        Net net = new Net();
        for (Tensor p : net.parameters()) {
            assertTrue(p.requiresGrad());
            assertTrue(p.isLeaf());
        }
        for (Tensor b : net.namedBuffers().values()) {
            assertFalse(b.requiresGrad());
        }
        for (Tensor s : net.stateDict().values()) {
            assertFalse(s.requiresGrad(), "state dict tensors are detached");
        }
    }

    @Test
    void registrationRejectsDuplicateAndDottedNames() {
        class Bad extends Module {
            Bad(String first, String second) {
                registerParameter(first, Tensor.zeros(1));
                registerBuffer(second, Tensor.zeros(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad("w", "w"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("a.b", "c"));
        assertThrows(IllegalArgumentException.class, () -> new Bad("", "c"));
        assertThrows(IllegalArgumentException.class, () -> new Linear(2, 2).parameter("gamma"));
        assertThrows(IllegalArgumentException.class, () -> new Linear(2, 2).buffer("running_mean"));
    }

    // ------------------------------------------------------------------ state dicts

    @Test
    void stateDictRoundTripReproducesTheModel() {
        Net a = new Net();
        NnReference.randomizeParameters(a, 1, 1);
        a.forward(NnReference.f32(NnReference.random(2, 12, -1, 1), 3, 4)); // moves the running statistics
        Net b = new Net();
        Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
        assertTrue(r.isComplete());
        a.eval();
        b.eval();
        Tensor x = NnReference.f32(NnReference.random(3, 8, -1, 1), 2, 4);
        assertArrayEquals(a.forward(x).toDoubleArray(), b.forward(x).toDoubleArray());
        assertLongs(b.stateDict().get("features.1.num_batches_tracked"), 1);
    }

    @Test
    void loadingCopiesValuesInsteadOfAliasingThem() {
        Linear a = new Linear(2, 2);
        Map<String, Tensor> state = new LinkedHashMap<>();
        Tensor w = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2);
        state.put("weight", w);
        state.put("bias", Tensor.of(new float[]{5, 6}));
        a.loadStateDict(state, true);
        w.fillInPlace(0);
        assertValues(a.weight(), 1, 2, 3, 4);
        assertTrue(a.weight().requiresGrad());
    }

    @Test
    void loadingConvertsDTypes() {
        Linear a = new Linear(2, 1);
        Map<String, Tensor> state = Map.of("weight", Tensor.of(new double[]{0.5, -1.5}, 1, 2), "bias", Tensor.of(new double[]{2}));
        a.loadStateDict(state, true);
        assertDType(DType.FLOAT32, a.weight());
        assertValues(a.weight(), 0.5, -1.5);
        assertValues(a.bias(), 2);
    }

    @Test
    void strictLoadReportsMissingAndUnexpectedKeysAndChangesNothing() {
        Mixed m = new Mixed();
        Map<String, double[]> before = snapshot(m);
        Map<String, Tensor> state = new LinkedHashMap<>(new Mixed().stateDict());
        state.put("alpha", Tensor.full(9, 2));
        state.remove("inner.bias");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(state, true));
        assertTrue(missing.getMessage().contains("inner.bias"), missing.getMessage());
        assertUnchanged(before, m);

        Map<String, Tensor> extra = new LinkedHashMap<>(new Mixed().stateDict());
        extra.put("alpha", Tensor.full(9, 2));
        extra.put("inner.gamma", Tensor.zeros(3));
        IllegalArgumentException unexpected = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(extra, true));
        assertTrue(unexpected.getMessage().contains("inner.gamma"), unexpected.getMessage());
        assertUnchanged(before, m);
    }

    @Test
    void nonStrictLoadReturnsMissingAndUnexpectedKeysAndLoadsTheRest() {
        Mixed m = new Mixed();
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("alpha", Tensor.of(new float[]{3, 4}));
        state.put("inner.bias", Tensor.of(new float[]{1, 2, 3}));
        state.put("gamma", Tensor.zeros(1));
        double[] weightBefore = m.inner.weight().toDoubleArray();
        Module.LoadResult r = m.loadStateDict(state, false);
        assertEquals(List.of("beta", "count", "inner.weight"), r.missingKeys());
        assertEquals(List.of("gamma"), r.unexpectedKeys());
        assertFalse(r.isComplete());
        assertValues(m.parameter("alpha"), 3, 4);
        assertValues(m.inner.bias(), 1, 2, 3);
        assertArrayEquals(weightBefore, m.inner.weight().toDoubleArray());
    }

    @Test
    void shapeMismatchNamesTheKeyAndBothShapesAndChangesNothing() {
        for (boolean strict : new boolean[]{true, false}) {
            Mixed m = new Mixed();
            Map<String, double[]> before = snapshot(m);
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("alpha", Tensor.full(7, 2));               // valid, listed first: must not be written either
            state.put("beta", Tensor.full(7, 3));
            state.put("count", Tensor.of(new long[]{5}));
            state.put("inner.weight", Tensor.zeros(2, 3));       // expected [3, 2]
            state.put("inner.bias", Tensor.zeros(3));
            ShapeException e = assertThrows(ShapeException.class, () -> m.loadStateDict(state, strict));
            assertTrue(e.getMessage().contains("inner.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
            assertUnchanged(before, m);
        }
    }

    @Test
    void absentParametersAreNotInTheStateDict() {
        Linear noBias = new Linear(2, 2, false);
        assertEquals(List.of("weight"), List.copyOf(noBias.stateDict().keySet()));
        Map<String, Tensor> withBias = new Linear(2, 2).stateDict();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noBias.loadStateDict(withBias, true));
        assertTrue(e.getMessage().contains("bias"));
        assertEquals(List.of("bias"), noBias.loadStateDict(withBias, false).unexpectedKeys());
    }

    // ------------------------------------------------------------------ modes, apply, gradients

    @Test
    void trainAndEvalPropagateToEveryDescendant() {
        Sequential model = new Sequential(new Linear(3, 3), new Sequential(new Dropout(0.5), new BatchNorm1d(3)));
        assertTrue(model.isTraining());
        assertSame(model, model.eval());
        model.namedModules().forEach((name, m) -> assertFalse(m.isTraining(), () -> "'" + name + "' still training"));
        Tensor x = NnReference.f32(NnReference.random(4, 3, -1, 1), 1, 3);
        assertArrayEquals(model.forward(x).toDoubleArray(), model.forward(x).toDoubleArray(), "eval is deterministic");
        model.train();
        model.namedModules().forEach((name, m) -> assertTrue(m.isTraining(), () -> "'" + name + "' not training"));
        model.train(false);
        assertFalse(((Sequential) model.get(1)).get(0).isTraining());
    }

    @Test
    void applyVisitsChildrenBeforeTheirParent() {
        Net net = new Net();
        List<String> visited = new ArrayList<>();
        Map<Module, String> names = new java.util.IdentityHashMap<>();
        net.namedModules().forEach((k, v) -> names.put(v, k));
        assertSame(net, net.apply(m -> visited.add(names.get(m))));
        assertEquals(List.of("features.0", "features.1", "features.2", "features", "head.inner", "head", ""), visited);
        net.apply(m -> {
            if (m instanceof Linear l) {
                dev.nabla.nn.Init.constant(l.weight(), 0.5);
            }
        });
        for (double v : ((Linear) ((Sequential) net.namedChildren().get("features")).get(0)).weight().toDoubleArray()) {
            assertEquals(0.5, v);
        }
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Net net = new Net();
        net.forward(NnReference.f32(NnReference.random(5, 12, -1, 1), 3, 4)).sum().backward();
        for (var e : net.namedParameters().entrySet()) {
            assertNotNull(e.getValue().grad(), e.getKey() + " has a gradient after backward");
        }
        net.zeroGrad();
        for (var e : net.namedParameters().entrySet()) {
            assertNull(e.getValue().grad(), e.getKey() + " gradient cleared");
        }
    }

    @Test
    void toOwnDeviceKeepsValues() {
        Linear l = new Linear(2, 2);
        double[] before = l.weight().toDoubleArray();
        l.to(device());
        assertArrayEquals(before, l.weight().toDoubleArray());
        assertTrue(l.weight().requiresGrad());
    }

    // ------------------------------------------------------------------ Sequential runs what its layers say

    @Test
    void sequentialRunsReluThenMaxPoolAsWritten() {
        Tensor x = NnReference.f32(NnReference.random(4, 2 * 3 * 6 * 6, -2, 2), 2, 3, 6, 6).requiresGrad(true);
        Tensor y = new Sequential(Activation.relu(), new MaxPool2d(2)).forward(x);
        assertTrue(y.gradFn().op() instanceof Op.MaxPool2d, "last op: " + y.gradFn().op());
        Node relu = y.gradFn().input(0).gradFn();
        assertTrue(relu.op() instanceof Op.Unary u && u.kind() == UnaryOp.RELU, "first op: " + relu.op());
        assertSame(x, relu.input(0));
    }

    /** Runs {@code loss.backward()} and returns the names of the ops the dispatcher ran for it. */
    private static List<String> backwardOps(Tensor loss) {
        List<String> ops = new ArrayList<>();
        try (var installed = Tracing.install((op, inputs, output) -> ops.add(op.name()))) {
            loss.backward();
        }
        return ops;
    }

    /** Whether the device's backend runs the fused ReLU + max-pool backward (an optional fast path). */
    private static boolean hasFusedReluPoolBackward() {
        Tensor reluOut = Tensor.ones(1, 1, 2, 2);
        Tensor gradOut = Tensor.ones(1, 1, 1, 1);
        return FusedOps.maxPool2dReluBackward(gradOut, reluOut, Conv2dGeometry.of(2, 2, 0, 1)) != null;
    }

    /** Values -2..2 with repeats (ties, zeros, windows with no positive element), -0.0 and a NaN. */
    private static Tensor poolingInput() {
        double[] v = NnReference.random(4, 2 * 3 * 6 * 6, -2, 2);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.rint(v[i]);
        }
        v[7] = -0.0;
        v[40] = Double.NaN;
        return Tensor.of(v, 2, 3, 6, 6).to(DType.FLOAT32);
    }

    @Test
    void reluThenMaxPoolGradientsAreBitIdenticalWithTheFusedBackward() {
        Tensor upstream = NnReference.f32(NnReference.random(5, 2 * 3 * 3 * 3, -3, 3), 2, 3, 3, 3);
        for (MaxPool2d pool : List.of(new MaxPool2d(2), new MaxPool2d(3, 2, 1))) {
            // the engine fuses the two backward passes when the ReLU's output has no other reader ...
            Tensor x = poolingInput().requiresGrad(true);
            Tensor y = pool.forward(x.relu());
            List<String> fusedOps = backwardOps(y.mul(upstream.narrow(2, 0, y.size(2)).narrow(3, 0, y.size(3))).sum());
            // ... and not when it keeps its own gradient, which gives the reference
            Tensor xr = poolingInput().requiresGrad(true);
            Tensor r = xr.relu().retainGrad();
            Tensor yr = pool.forward(r);
            List<String> plainOps = backwardOps(yr.mul(upstream.narrow(2, 0, yr.size(2)).narrow(3, 0, yr.size(3))).sum());
            // the fused pass runs no dispatched pooling backward where the backend has the fused kernel (an optional
            // fast path; a backend without it gets core's composed form, the reference's ops); the reference does
            assertTrue(plainOps.contains("max_pool2d_backward"), plainOps.toString());
            assertEquals(!hasFusedReluPoolBackward(), fusedOps.contains("max_pool2d_backward"), fusedOps.toString());
            float[] expected = xr.grad().toFloatArray();
            float[] actual = x.grad().toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                        pool + " element " + i + ": " + actual[i] + " against " + expected[i]);
            }
        }
        // a ReLU read twice: its gradient sums both readers
        Tensor x = poolingInput().requiresGrad(true);
        Tensor t = x.relu();
        new MaxPool2d(2).forward(t).sum().add(t.sum()).backward();
        float[] g = x.grad().toFloatArray();
        float[] xs = poolingInput().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertTrue(xs[i] > 0 ? g[i] >= 1 : g[i] == 0, "element " + i + " (" + xs[i] + "): " + g[i]);
        }
    }

    @Test
    void callRunsForwardAndShowsTheModuleToATracer() {
        List<String> events = new ArrayList<>();
        Linear inner = new Linear(3, 2);
        Sequential net = new Sequential(inner, Activation.relu());
        Tracer tracer = new Tracer() {
            @Override
            public void record(Op op, List<Tensor> inputs, Tensor output) {
                events.add(op.name());
            }

            @Override
            public void enterModule(Object module) {
                events.add("enter " + module.getClass().getSimpleName());
            }

            @Override
            public void exitModule(Object module) {
                events.add("exit " + module.getClass().getSimpleName());
            }
        };
        Tensor x = Tensor.ones(4, 3);
        Tensor expected = net.forward(x);
        Tensor y;
        try (var installed = Tracing.install(tracer)) {
            y = net.call(x);
        }
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
        assertEquals(List.of("enter Sequential", "enter Linear", "linear", "exit Linear",
                "enter Activation", "relu", "exit Activation", "exit Sequential"), events);
    }

    // ------------------------------------------------------------------ printing and counts

    @Test
    void parameterCountsOfTheIssueModels() {
        assertEquals(235_146, mlp().numParameters());
        assertEquals(421_642, cnn().numParameters());
        assertEquals(0, new Flatten().numParameters());
    }

    @Test
    void toStringIsATreeWithNamesAndTheParameterCount() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.US);
            String text = cnn().toString();
            for (String part : new String[]{"Sequential", "(0): Conv2d", "(2): MaxPool2d", "(6): Flatten", "(7): Linear",
                    "(9): Linear", "ReLU", "421,642"}) {
                assertTrue(text.contains(part), () -> "missing '" + part + "' in\n" + text);
            }
            assertTrue(text.lines().count() >= 11, "one line per layer:\n" + text);
            String nested = new Net().toString();
            assertTrue(nested.contains("(features): Sequential") && nested.contains("(head): Mixed")
                    && nested.contains("(inner): Linear"), nested);
            assertTrue(mlp().toString().contains("235,146"));
        } finally {
            Locale.setDefault(saved);
        }
    }
}
