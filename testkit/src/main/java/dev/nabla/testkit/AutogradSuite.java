package dev.nabla.testkit;

import dev.nabla.AnomalyException;
import dev.nabla.AutogradException;
import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.AnomalyMode;
import dev.nabla.autograd.GradMode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The autograd engine: accumulation, graph lifetime, grad mode, in-place safety, anomaly mode. */
public abstract class AutogradSuite extends BackendTestBase {

    private static Tensor leaf(double... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, -2, 3);
        x.mul(2).sum().backward();
        assertValues(x.grad(), 2, 2, 2);
        x.mul(x).sum().backward();
        assertValues(x.grad(), 4, -2, 8);
        x.grad().zeroInPlace();
        x.sum().backward();
        assertValues(x.grad(), 1, 1, 1);
        x.setGrad(null);
        assertNull(x.grad());
        x.mul(5).sum().backward();
        assertValues(x.grad(), 5, 5, 5);
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = leaf(0.5, 1);
        Tensor y = x.exp().sum();
        y.backward(null, true, false);
        y.backward(null, false, false);
        assertValues(x.grad(), 2 * Math.exp(0.5), 2 * Math.exp(1));
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());

        Tensor z = x.sin().sum();
        z.backward();
        AutogradException again = assertThrows(AutogradException.class, z::backward);
        assertTrue(again.getMessage().contains("second time"), again.getMessage());
    }

    @Test
    void savedTensorsAreReleasedAfterBackward() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp();
        Tensor loss = y.sum();
        assertEquals(1, y.gradFn().inputs().size());
        loss.backward();
        assertThrows(AutogradException.class, () -> y.gradFn().inputs());
        assertThrows(AutogradException.class, () -> loss.gradFn().output());

        Tensor kept = x.exp();
        kept.sum().backward(null, true, false);
        assertEquals(1, kept.gradFn().inputs().size(), "retainGraph keeps them");
    }

    @Test
    void detachStopsGradients() {
        Tensor x = leaf(2, 3);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        d.mul(x).sum().backward(); // only the second factor carries a gradient
        assertValues(x.grad(), 2, 3);
        try (var ignored = GradMode.noGrad()) {
            d.fillInPlace(7); // shares storage
        }
        assertValues(x, 7, 7);
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = leaf(1, 2);
        Tensor y;
        try (var ignored = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            y = x.mul(3).exp();
            try (var again = GradMode.enableGrad()) {
                assertTrue(x.mul(2).requiresGrad(), "enableGrad inside noGrad records");
            }
            assertFalse(GradMode.isEnabled(), "the previous mode is restored");
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertThrows(AutogradException.class, () -> y.sum().backward());
        assertThrows(AutogradException.class, () -> Tensor.ones(2).sum().backward());
    }

    @Test
    void gradModeIsPerThread() throws InterruptedException {
        AtomicBoolean otherThreadRecords = new AtomicBoolean();
        try (var ignored = GradMode.noGrad()) {
            Thread t = new Thread(() -> otherThreadRecords.set(Tensor.ones(2).requiresGrad(true).mul(2).requiresGrad()));
            t.start();
            t.join();
        }
        assertTrue(otherThreadRecords.get());
    }

    @Test
    void backwardInsideNoGradStillComputesGradients() {
        Tensor x = leaf(1, 2);
        Tensor loss = x.mul(x).sum();
        try (var ignored = GradMode.noGrad()) {
            loss.backward();
        }
        assertValues(x.grad(), 2, 4);
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x);
        AutogradException e = assertThrows(AutogradException.class, y::backward);
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(ShapeException.class, () -> y.backward(f64(1, 1)));
        y.backward(f64(1, 0, 2));
        assertValues(x.grad(), 2, 0, 12);
        Tensor z = leaf(1, 2).mul(3);
        z.backward(f32(1, 1)); // converted to the tensor's dtype
        Tensor w = leaf(4).reshape(1, 1);
        w.backward(); // one element, any shape
    }

    @Test
    void leafRootGetsGradientOne() {
        Tensor x = leaf(5);
        x.backward();
        assertValues(x.grad(), 1);
    }

    @Test
    void sameInputUsedTwice() {
        Tensor x = leaf(1.5, -2);
        x.mul(x).sum().backward();
        assertValues(x.grad(), 3, -4);
        Tensor y = leaf(1, 2);
        y.add(y).add(y).sum().backward();
        assertValues(y.grad(), 3, 3);
        Tensor z = leaf(2);
        z.div(z).sum().backward();
        assertValues(z.grad(), 0);
    }

    @Test
    void diamondGraph() {
        Tensor x = leaf(0.3, -0.4);
        Tensor a = x.exp();
        Tensor b = a.sin();
        Tensor c = a.cos();
        b.add(c).mul(a).sum().backward();
        // d/dx [a (sin a + cos a)] = a' (sin a + cos a) + a (cos a - sin a) a', a' = a
        double[] expected = new double[2];
        double[] xs = {0.3, -0.4};
        for (int i = 0; i < 2; i++) {
            double av = Math.exp(xs[i]);
            expected[i] = av * (Math.sin(av) + Math.cos(av)) + av * (Math.cos(av) - Math.sin(av)) * av;
        }
        assertValues(x.grad(), expected);
    }

    @Test
    void retainGradOnNonLeaf() {
        Tensor x = leaf(0.2, 0.4);
        Tensor h = x.mul(2).retainGrad();
        Tensor notRetained = h.sin();
        notRetained.sum().backward();
        assertValues(h.grad(), Math.cos(0.4), Math.cos(0.8));
        assertNull(notRetained.grad());
        assertFalse(h.isLeaf());
        assertValues(x.grad(), 2 * Math.cos(0.4), 2 * Math.cos(0.8));
    }

    @Test
    void broadcastGradientsAreReducedToTheInputShape() {
        Tensor bias = leaf(0.1, 0.2, 0.3);
        Tensor m = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        m.add(bias).sum().backward();
        assertShape(bias.grad(), 3);
        assertValues(bias.grad(), 2, 2, 2);
        Tensor col = Tensor.of(new double[]{1, 2}, 2, 1).requiresGrad(true);
        Tensor row = Tensor.of(new double[]{3, 4, 5}, 1, 3).requiresGrad(true);
        col.mul(row).sum().backward();
        assertShape(col.grad(), 2, 1);
        assertValues(col.grad(), 12, 12);
        assertValues(row.grad(), 3, 3, 3);
        Tensor s = Tensor.scalar(DType.FLOAT64, 2).requiresGrad(true);
        m.mul(s).sum().backward();
        assertShape(s.grad());
        assertValues(s.grad(), 21);
    }

    @Test
    void gradientHasTheLeafsDtype() {
        Tensor x = Tensor.of(new float[]{1, 2}).requiresGrad(true);
        x.to(DType.FLOAT64).mul(f64(0.5, 0.25)).sum().backward();
        assertDType(DType.FLOAT32, x.grad());
        assertValues(x.grad(), 0.5, 0.25);
        assertShape(x.grad(), 2);
    }

    @Test
    void leafGradientsAreIndependentTensors() {
        Tensor a = leaf(1, 2);
        Tensor b = leaf(3, 4);
        a.add(b).sum().backward();
        try (var ignored = GradMode.noGrad()) {
            a.grad().addInPlace(f64(10, 10));
        }
        assertValues(b.grad(), 1, 1);
        assertValues(a.grad(), 11, 11);
        Tensor c = leaf(1, 2);
        Tensor d = c.mul(1); // a gradient rule that passes g through unchanged
        d.retainGrad();
        d.sum().backward();
        c.grad().fillInPlace(-1);
        assertValues(d.grad(), 1, 1);
        Tensor e = leaf(1, 2);
        Tensor callersGradient = f64(5, 6);
        e.add(f64(1, 1)).backward(callersGradient); // passed through unchanged to the leaf
        e.grad().fillInPlace(-1);
        assertValues(callersGradient, 5, 6);
        Tensor f = leaf(1, 2);
        Tensor fresh = f.mul(f64(3, 3)); // a fresh gradient the leaf may keep, used in a later step
        fresh.sum().backward();
        f.mul(f64(1, 1)).sum().backward();
        assertValues(f.grad(), 4, 4);
    }

    @Test
    void gradientsHandedToSeveralBranchesOrKeptWithoutACopyStayValid() {
        Tensor p = leaf(1, 2);
        Tensor q = leaf(3, 4);
        p.mul(2).add(q.mul(3)).sum().backward(); // add hands one gradient tensor to both branches
        assertValues(p.grad(), 2, 2);
        assertValues(q.grad(), 3, 3);

        Tensor w = Tensor.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor x = Tensor.of(new double[]{1, -1, 2, 0.5, 0, 1}, 2, 3);
        x.matmul(w.t()).sum().backward(); // the weight's gradient arrives as a transposed product
        assertTrue(w.grad().isContiguous());
        assertValues(w.grad(), 1.5, -1, 3, 1.5, -1, 3);
        x.matmul(w.t()).mul(2).sum().backward();
        assertValues(w.grad(), 4.5, -3, 9, 4.5, -3, 9);

        Tensor bias = leaf(0.5, -0.5);
        Tensor out = x.sum(1, false).reshape(2, 1).add(bias.reshape(1, 2)); // [2, 2], bias broadcast over rows
        out.sum().backward();
        assertValues(bias.grad(), 2, 2);
    }

    @Test
    void reluPassesTheGradientOnlyWherePositiveInEveryDtype() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            int n = 70_000; // large enough for a backend to split the pass across threads
            double[] xs = new double[n];
            double[] gs = new double[n];
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = switch (i % 5) {
                    case 0 -> 0.0;
                    case 1 -> -0.0;
                    case 2 -> Double.NaN;
                    default -> (i % 11) - 5.5;
                };
                gs[i] = (i % 13) - 6;
                expected[i] = xs[i] > 0 ? gs[i] : 0;
            }
            Tensor x = Tensor.of(xs, n).to(dtype).requiresGrad(true);
            x.relu().backward(Tensor.of(gs, n).to(dtype));
            assertValues(x.grad(), expected);
        }
    }

    @Test
    void maxSplitsTiesButMaxAlongDimPicksOneIndex() {
        Tensor x = leaf(1, 3, 3);
        x.max().backward();
        assertValues(x.grad(), 0, 0.5, 0.5);
        Tensor y = leaf(1, 3, 3);
        y.max(0, false).values().backward();
        assertValues(y.grad(), 0, 1, 0);
        Tensor z = leaf(2, 2);
        z.maximum(f64(2, 1)).sum().backward();
        assertValues(z.grad(), 0.5, 1);
    }

    @Test
    void nonDifferentiableResultsDoNotRequireGrad() {
        Tensor x = leaf(1, -1);
        assertFalse(x.gt(0).requiresGrad());
        assertFalse(x.argmax().requiresGrad());
        assertFalse(x.to(DType.INT64).requiresGrad());
        assertTrue(x.to(DType.FLOAT32).requiresGrad());
        assertThrows(DTypeException.class, () -> i64(1).requiresGrad(true));
        Tensor y = x.mul(2);
        assertThrows(AutogradException.class, () -> y.requiresGrad(false));
    }

    @Test
    void inPlaceChangeOfASavedTensorIsDetected() {
        Tensor w = leaf(1, 2);
        Tensor a = f64(3, 4);
        Tensor y = w.mul(a); // saves a
        a.mulInPlace(2);
        AutogradException e = assertThrows(AutogradException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("in place"), e.getMessage());

        Tensor v = leaf(0.1, 0.2);
        Tensor out = v.exp(); // exp's gradient uses its output
        Tensor loss = out.sum();
        try (var ignored = GradMode.noGrad()) {
            out.mulInPlace(2);
        }
        assertThrows(AutogradException.class, loss::backward);

        Tensor u = leaf(0.5);
        Tensor base = f64(1, 2, 3);
        Tensor z = u.mul(base.narrow(0, 1, 1)); // saves a view
        base.narrow(0, 2, 1).fillInPlace(0); // a write to the same storage
        assertThrows(AutogradException.class, () -> z.sum().backward());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradNeedsNoGrad() {
        Tensor w = leaf(1, 2);
        AutogradException e = assertThrows(AutogradException.class, () -> w.addInPlace(f64(1, 1)));
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
        assertThrows(AutogradException.class, () -> w.fillInPlace(0));
        assertThrows(AutogradException.class, () -> w.copyFrom(f64(0, 0)));
        try (var ignored = GradMode.noGrad()) {
            w.subInPlace(f64(0.5, 0.5));
            w.mulInPlace(2);
        }
        assertValues(w, 1, 3);
        w.sum().backward(); // still a usable leaf
        assertValues(w.grad(), 1, 1);
    }

    @Test
    void anomalyModeNamesTheForwardOp() {
        Tensor x = f64(-1, 2);
        assertDoesNotThrow(x::log, "without anomaly mode NaN is just a value");
        try (var ignored = AnomalyMode.enable()) {
            AnomalyException e = assertThrows(AnomalyException.class, x::log);
            assertTrue(e.getMessage().contains("log") && e.getMessage().contains("forward"), e.getMessage());
            assertTrue(e.getMessage().contains("[2]"), "names the input shape: " + e.getMessage());
            assertThrows(AnomalyException.class, () -> f32(0).reciprocal());
            assertDoesNotThrow(() -> f64(1, 2).log());
        }
        assertFalse(AnomalyMode.isEnabled());
    }

    @Test
    void anomalyModeNamesTheOpWhoseGradientIsNotFinite() {
        Tensor x = leaf(0, 4);
        Tensor loss = x.sqrt().sum(); // finite forward, infinite gradient at 0
        try (var ignored = AnomalyMode.enable()) {
            AnomalyException e = assertThrows(AnomalyException.class, loss::backward);
            assertTrue(e.getMessage().contains("sqrt") && e.getMessage().contains("backward"),
                    "the message names sqrt and backward: " + e.getMessage());
        }
        Tensor y = leaf(0, 4);
        y.sqrt().sum().backward();
        assertValues(y.grad(), Double.POSITIVE_INFINITY, 0.25);
    }

    @Test
    void anomalyModeAcceptsFiniteGradientsOfPow() {
        // (-2)^3 and its gradient 3 * (-2)^2 are finite: nothing to report
        Tensor x = leaf(-2, 3);
        try (var ignored = AnomalyMode.enable()) {
            x.pow(3).sum().backward();
        }
        assertValues(x.grad(), 12, 27);
    }

    @Test
    void createGraphGivesDifferentiableGradients() {
        Tensor x = leaf(2);
        x.mul(x).sum().backward(null, true, true);
        Tensor g = x.grad();
        assertNotNull(g.gradFn());
        assertTrue(g.requiresGrad());
        Tensor y = leaf(2);
        y.mul(y).sum().backward();
        assertFalse(y.grad().requiresGrad(), "without createGraph the gradient is a plain tensor");
    }
    @Test
    void normOfAZeroVectorHasZeroGradient() {
        // PyTorch's subgradient at 0: the gradient of ||x|| at x = 0 is 0, not 0/0
        Tensor x = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
        x.norm().backward();
        assertValues(x.grad(), 0, 0, 0);
    }

    @Test
    void prodGradientWithZeros() {
        // d/dx_i prod(x) = product of the other elements, also where x_i or another element is 0
        Tensor x = leaf(0, 2, 3);
        x.prod().backward();
        assertValues(x.grad(), 6, 0, 0);
        Tensor y = leaf(0, 0, 5);
        y.prod().backward();
        assertValues(y.grad(), 0, 0, 0);
    }

    @Test
    void clampAtTheBoundsPassesTheGradient() {
        // PyTorch: clamp's gradient is 1 where min <= x <= max, bounds included
        Tensor x = leaf(0, 0.5, 1, 2);
        x.clamp(0, 1).sum().backward();
        assertValues(x.grad(), 1, 1, 1, 0);
        Tensor y = leaf(0, -1);
        y.clampMin(0).sum().backward();
        assertValues(y.grad(), 1, 0);
    }

    @Test
    void inPlaceChangeOfAnInputThatIsNotNeededIsAllowed() {
        // add's gradient does not read its inputs, so PyTorch lets them change before backward
        Tensor w = leaf(1, 2);
        Tensor a = f64(3, 4);
        Tensor y = w.add(a);
        a.fillInPlace(0);
        y.sum().backward();
        assertValues(w.grad(), 1, 1);
    }
}
