package dev.nabla.cuda.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The executor with a fake device context (no JCuda): ordering, error ownership, startup and shutdown. */
class DeviceExecutorTest {
    /** Records which thread entered and exited, as a primary context would be made current. */
    static final class FakeContext implements DeviceExecutor.Context {
        volatile Thread entered;
        volatile Thread exited;
        final RuntimeException failEnter;

        FakeContext(RuntimeException failEnter) {
            this.failEnter = failEnter;
        }

        @Override
        public void enter() {
            if (failEnter != null) {
                throw failEnter;
            }
            entered = Thread.currentThread();
        }

        @Override
        public void exit() {
            exited = Thread.currentThread();
        }
    }

    private final FakeContext context = new FakeContext(null);
    private final DeviceExecutor executor = new DeviceExecutor("fake:0", context);

    @AfterEach
    void close() {
        executor.close();
    }

    private static void runOn(Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void tasksRunOnTheOneDeviceThreadThatEnteredTheContext() {
        Thread device = executor.call(Thread::currentThread);
        assertSame(context.entered, device);
        assertTrue(device.isDaemon());
        assertFalse(device.isVirtual());
        assertEquals("nabla-fake:0", device.getName());
        assertFalse(executor.onDeviceThread());
        assertTrue(executor.call(executor::onDeviceThread));
        executor.close();
        assertSame(device, context.exited);
        assertThrows(IllegalStateException.class, () -> executor.submit(() -> { }));
    }

    @Test
    void eachThreadsWorkRunsInItsOrder() throws InterruptedException {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        int threads = 4;
        int tasks = 500;
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                for (int i = 0; i < tasks; i++) {
                    int n = i;
                    executor.submit(() -> log.add(id + ":" + n));
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        executor.drain();
        assertEquals(threads * tasks, log.size());
        int[] next = new int[threads];
        for (String entry : log) {
            String[] parts = entry.split(":");
            int id = Integer.parseInt(parts[0]);
            assertEquals(next[id]++, Integer.parseInt(parts[1]), "thread " + id + " out of order");
        }
    }

    @Test
    void submitReturnsBeforeTheTaskRunsAndCallWaitsForEarlierWork() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        List<Integer> log = Collections.synchronizedList(new ArrayList<>());
        executor.submit(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            log.add(1);
        });
        executor.submit(() -> log.add(2));
        assertTrue(log.isEmpty(), "submit must not wait");
        gate.countDown();
        assertEquals(List.of(1, 2), executor.call(() -> List.copyOf(log)));
    }

    @Test
    void anAsyncErrorSurfacesOnceAtTheSubmittingThreadsNextSynchronizingCall() {
        IllegalStateException boom = new IllegalStateException("kernel failed");
        executor.submit(() -> {
            throw boom;
        });
        executor.submit(() -> {
            throw new IllegalArgumentException("second");
        });
        RuntimeException e = assertThrows(RuntimeException.class, executor::drain);
        assertSame(boom, e);
        assertEquals("second", e.getSuppressed()[0].getMessage(), "later errors are kept, not lost");
        assertDoesNotThrow(executor::drain, "reported once");
    }

    @Test
    void anotherLiveThreadDoesNotTakeMyError() throws InterruptedException {
        CountDownLatch submitted = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        AtomicReference<Throwable> ownerSaw = new AtomicReference<>();
        Thread owner = new Thread(() -> {
            executor.submit(() -> {
                throw new IllegalStateException("owner's");
            });
            submitted.countDown();
            try {
                checked.await();
            } catch (InterruptedException e) {
                return;
            }
            try {
                executor.surface();
            } catch (Throwable e) {
                ownerSaw.set(e);
            }
        });
        owner.start();
        submitted.await();
        assertDoesNotThrow(executor::drain, "another thread's error is not mine");
        checked.countDown();
        owner.join();
        assertEquals("owner's", ownerSaw.get().getMessage());
    }

    @Test
    void anUnownedTaskDoesNotSurfaceAndItsErrorGoesToAnyThread() throws InterruptedException {
        // This thread's work fails; a "Cleaner" thread then releases: it must neither see nor take the error.
        executor.submit(() -> {
            throw new IllegalStateException("training step");
        });
        runOn(() -> executor.submitUnowned(() -> { }));
        runOn(() -> assertDoesNotThrow(executor::drain, "the cleaner thread must not take the trainer's error"));
        assertEquals("training step", assertThrows(IllegalStateException.class, executor::surface).getMessage());

        // A release that fails belongs to nobody: the next caller of any thread hears of it.
        runOn(() -> executor.submitUnowned(() -> {
            throw new IllegalStateException("free failed");
        }));
        assertEquals("free failed", assertThrows(IllegalStateException.class, executor::drain).getMessage());
        assertFalse(executor.hasPendingError());
        runOn(() -> executor.submitUnowned(() -> {
            throw new IllegalStateException("free failed again");
        }));
        runOn(() -> assertEquals("free failed again",
                assertThrows(IllegalStateException.class, executor::drain).getMessage()));
    }

    @Test
    void theFailedFreeIsReportedByTheNextCall() {
        executor.submitUnowned(() -> {
            throw new IllegalStateException("free failed");
        });
        assertEquals("free failed", assertThrows(IllegalStateException.class, executor::drain).getMessage());
    }

    @Test
    void errorsOfAThreadThatEndedAreNotLost() throws InterruptedException {
        runOn(() -> executor.submit(() -> {
            throw new IllegalStateException("loader died");
        }));
        // the task ran after its thread ended, or before: either way the next caller hears of it
        assertEquals("loader died", assertThrows(IllegalStateException.class, executor::drain).getMessage());
    }

    @Test
    void callThrowsTheEarlierErrorFirstWithItsOwnSuppressed() {
        executor.submit(() -> {
            throw new IllegalStateException("earlier");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> executor.call(() -> {
            throw new IllegalArgumentException("own");
        }));
        assertEquals("earlier", e.getMessage());
        assertEquals("own", e.getSuppressed()[0].getMessage());
        assertEquals("own", assertThrows(IllegalArgumentException.class, () -> executor.call(() -> {
            throw new IllegalArgumentException("own");
        })).getMessage());
    }

    @Test
    void callReturnsItsValueAndCheckedExceptionsAreWrapped() {
        assertEquals(42, executor.call(() -> 42));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> executor.call(() -> {
            throw new java.io.IOException("io");
        }));
        assertEquals("io", e.getCause().getMessage());
    }

    @Test
    void callsFromTheDeviceThreadRunInline() {
        List<Integer> log = new ArrayList<>();
        executor.call(() -> {
            executor.submit(() -> log.add(1));
            log.add(2);
            log.add(executor.call(() -> 3));
            return null;
        });
        assertEquals(List.of(1, 2, 3), log);
    }

    @Test
    void interruptedCallerStillGetsTheResult() {
        CountDownLatch gate = new CountDownLatch(1);
        executor.submit(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.currentThread().interrupt();
        new Thread(gate::countDown).start();
        try {
            assertEquals(7, executor.call(() -> 7));
            assertTrue(Thread.interrupted(), "the interrupt is kept");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aContextThatFailsToEnterFailsTheConstructor() {
        IllegalStateException no = new IllegalStateException("cuDevicePrimaryCtxRetain failed: CUDA_ERROR_NO_DEVICE");
        assertSame(no, assertThrows(IllegalStateException.class,
                () -> new DeviceExecutor("fake:1", new FakeContext(no))));
    }

    @Test
    void closeRunsTheQueuedWorkFirst() {
        List<Integer> log = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 100; i++) {
            int n = i;
            executor.submit(() -> log.add(n));
        }
        executor.close();
        assertEquals(100, log.size());
        executor.close(); // idempotent
        int[] expected = new int[100];
        for (int i = 0; i < 100; i++) {
            expected[i] = i;
        }
        assertArrayEquals(expected, log.stream().mapToInt(Integer::intValue).toArray());
    }
}
