package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor lifetimes: {@link TensorScope}, {@code close()}, views keeping storage alive, buffer reuse. */
public abstract class MemorySuite extends BackendTestBase {

    @Test
    void scopeClosesTensorsCreatedInside() {
        Tensor before = Tensor.ones(3);
        Tensor inside;
        Tensor derived;
        try (TensorScope scope = TensorScope.open()) {
            inside = Tensor.ones(3);
            derived = inside.mul(2).add(before);
            assertTrue(scope.size() >= 2, "the scope holds at least the two results: " + scope.size());
            assertFalse(inside.isClosed());
        }
        assertTrue(inside.isClosed());
        assertTrue(derived.isClosed());
        assertFalse(before.isClosed(), "tensors created before the scope are not its business");
        assertValues(before, 1, 1, 1);
    }

    @Test
    void closedTensorsThrowOnUse() {
        Tensor t;
        try (TensorScope ignored = TensorScope.open()) {
            t = Tensor.ones(2, 2);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add(t));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, t::toFloatArray);
        assertThrows(IllegalStateException.class, () -> t.sum().item());
        assertThrows(IllegalStateException.class, () -> t.reshape(4));
        assertThrows(IllegalStateException.class, () -> t.fillInPlace(1));
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2, 2).copyFrom(t));
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2, 2).add(t));
        Tensor u = Tensor.ones(1).requiresGrad(true);
        u.close();
        assertThrows(IllegalStateException.class, u::backward);
        assertEquals(2, t.shape()[0], "metadata stays readable");
    }

    @Test
    void keepSurvivesTheScope() {
        Tensor kept;
        Tensor dropped;
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.ones(3);
            kept = scope.keep(x.mul(3));
            dropped = x.mul(4);
            assertSame(kept, scope.keep(kept), "keeping twice is harmless");
        }
        assertFalse(kept.isClosed());
        assertValues(kept, 3, 3, 3);
        assertTrue(dropped.isClosed());
    }

    @Test
    void nestedScopesMoveKeptTensorsOutward() {
        Tensor fromInner;
        Tensor innerOnly;
        Tensor outerOnly;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope inner = TensorScope.open()) {
                fromInner = inner.keep(Tensor.full(2, 2));
                innerOnly = Tensor.full(5, 2);
            }
            assertTrue(innerOnly.isClosed());
            assertFalse(fromInner.isClosed(), "kept: it now belongs to the outer scope");
            outerOnly = fromInner.add(1);
            assertTrue(outer.size() >= 2, "the outer scope holds the kept tensor and its own: " + outer.size());
        }
        assertTrue(fromInner.isClosed(), "the outer scope frees what the inner one kept");
        assertTrue(outerOnly.isClosed());
    }

    @Test
    void scopesCloseInReverseOrderOnly() {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
        outer.close(); // idempotent
    }

    @Test
    void scopesArePerThread() throws InterruptedException {
        AtomicReference<Tensor> other = new AtomicReference<>();
        try (TensorScope ignored = TensorScope.open()) {
            Thread t = new Thread(() -> other.set(Tensor.ones(2)));
            t.start();
            t.join();
        }
        assertFalse(other.get().isClosed(), "a tensor made on another thread is not in this thread's scope");
    }

    @Test
    void viewsKeepStorageAliveAfterTheBaseIsClosed() {
        Tensor base = f32(1, 2, 3, 4);
        Tensor view = base.reshape(2, 2).t();
        Tensor slice = base.slice(0, 1, 4, 2);
        base.close();
        assertTrue(base.isClosed());
        assertValues(view, 1, 3, 2, 4);
        assertValues(slice, 2, 4);
        slice.fillInPlace(0);
        assertValues(view, 1, 3, 0, 0);
        view.close();
        assertValues(slice, 0, 0);

        Tensor owner = f32(5, 6);
        Tensor detached = owner.detach();
        owner.close();
        assertValues(detached, 5, 6);
        base.close(); // idempotent
    }

    @Test
    void closingAViewLeavesTheBaseUsable() {
        Tensor base = f32(1, 2, 3);
        Tensor view = base.narrow(0, 1, 2);
        view.close();
        assertValues(base, 1, 2, 3);
        assertValues(base.mul(2), 2, 4, 6);
    }

    @Test
    void gradientsProducedInsideAScopeSurviveIt() {
        Tensor w = Tensor.of(new double[]{1, 2}).requiresGrad(true);
        try (TensorScope ignored = TensorScope.open()) {
            Tensor loss = w.mul(w).mul(3).sum();
            loss.backward();
        }
        assertFalse(w.grad().isClosed());
        assertValues(w.grad(), 6, 12);
        try (TensorScope ignored = TensorScope.open()) {
            w.mul(2).sum().backward(); // accumulates in place into the existing gradient
        }
        assertValues(w.grad(), 8, 14);
        Tensor v = Tensor.of(new double[]{1}).requiresGrad(true);
        try (TensorScope ignored = TensorScope.open()) {
            v.mul(v).sum().backward(null, true, true); // createGraph: the gradient has a graph, still owned by v
        }
        assertFalse(v.grad().isClosed());
        assertValues(v.grad(), 2);
    }

    @Test
    void reusedMemoryNeverLeaksOldValues() {
        for (int round = 0; round < 3; round++) {
            try (TensorScope ignored = TensorScope.open()) {
                for (int i = 0; i < 20; i++) {
                    Tensor.full(7, 64, 33).mul(3);
                    Tensor.full(-1, 1000);
                }
            }
            assertValues(Tensor.zeros(64, 33).sum(), 0);
            assertValues(Tensor.zeros(1000).abs().sum(), 0);
            Tensor a = iota(64, 33);
            double n = 64 * 33;
            assertValues(a.add(Tensor.zeros(64, 33)).sum(), n * (n - 1) / 2);
            assertValues(Tensor.ones(33, 64).matmul(Tensor.zeros(64, 2)).abs().sum(), 0);
        }
    }

    @Test
    void manyScopedStepsStayCorrect() {
        Tensor acc = Tensor.zeros(16);
        for (int step = 0; step < 200; step++) {
            try (TensorScope ignored = TensorScope.open()) {
                Tensor update = Tensor.ones(16).mul(step).add(1).log().exp().sub(1); // several temporaries per step
                acc.addInPlace(update);
            }
        }
        double expected = 199 * 200 / 2.0;
        double[] v = acc.toDoubleArray();
        for (double x : v) {
            assertEquals(expected, x, expected * 1e-5);
        }
    }

    /** Moves to the host and back, synchronously and not, keep every dtype's values, views included. */
    @Test
    void movesBetweenDevicesKeepValues() throws Exception {
        Device here = Tensor.zeros(1).device();
        double[] values = {-2.5, 0, 1, 3, 7, -1, 100, 0.5, 2, -8, 4, 6};
        for (DType dtype : DType.values()) {
            Tensor base = Tensor.of(values, 3, 4).to(dtype);
            Tensor[] views = {base, base.narrow(0, 1, 2), base.t(), base.narrow(1, 2, 2).narrow(0, 1, 1)};
            for (Tensor view : views) {
                String what = dtype + " " + java.util.Arrays.toString(view.shape());
                Tensor onHost = view.to(Device.CPU);
                assertEquals(Device.CPU, onHost.device(), what);
                assertEquals(dtype, onHost.dtype(), what);
                org.junit.jupiter.api.Assertions.assertArrayEquals(view.shape(), onHost.shape(), what);
                org.junit.jupiter.api.Assertions.assertArrayEquals(view.toDoubleArray(), onHost.toDoubleArray(), what);
                Tensor back = onHost.narrow(0, 0, view.size(0)).to(here);
                assertEquals(here, back.device(), what);
                org.junit.jupiter.api.Assertions.assertArrayEquals(view.toDoubleArray(), back.toDoubleArray(), what);
                try (Tensor async = view.toAsync(Device.CPU).get(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(view.toDoubleArray(), async.toDoubleArray(), what);
                }
            }
        }
    }

    @Test
    void aMovedLeafStaysALeafThatRequiresGradients() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor moved = w.to(Device.CPU);
        assertTrue(moved.requiresGrad());
        assertTrue(moved.isLeaf());
        if (!w.device().equals(Device.CPU)) {
            assertFalse(w.mul(2).to(Device.CPU).requiresGrad(), "a device move is not differentiable");
        }
    }
}
