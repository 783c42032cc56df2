package dev.nabla.serving.batching;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher with a model of one value in, two out ({@code x -> [2x, x + 1]}), whose first execution can be held
 * so that requests pile up behind it.
 */
class DynamicBatcherTest {
    /** A runner that records its batches and can hold its first execution until released. */
    static final class Model implements DynamicBatcher.Runner {
        final List<Integer> plans = new CopyOnWriteArrayList<>();
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch release;
        volatile boolean fail;

        Model(boolean holdFirst) {
            release = new CountDownLatch(holdFirst ? 1 : 0);
        }

        @Override
        public float[] run(float[] inputs, int batch) {
            plans.add(batch);
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (fail) {
                throw new IllegalStateException("the model failed");
            }
            float[] out = new float[batch * 2];
            for (int i = 0; i < batch; i++) {
                out[2 * i] = 2 * inputs[i];
                out[2 * i + 1] = inputs[i] + 1;
            }
            return out;
        }
    }

    /** Records real batch sizes. */
    static final class Sizes implements DynamicBatcher.Observer {
        final List<Integer> samples = new CopyOnWriteArrayList<>();

        @Override
        public void executed(int n, long nanos) {
            samples.add(n);
        }
    }

    static DynamicBatcher batcher(Model model, Sizes sizes, int max, Duration delay, int capacity) {
        return new DynamicBatcher("test/1", 1, 2, new BatchingOptions(max, delay, capacity), model, sizes);
    }

    static float[] values(float... v) {
        return v;
    }

    /**
     * Submits from a thread of its own and returns the result once submitted: an idle batcher without a delay runs
     * a request on the caller's thread, which a held model would block.
     */
    static CompletableFuture<float[]> submitElsewhere(DynamicBatcher b, float[] input, int samples)
            throws InterruptedException {
        CompletableFuture<float[]> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(b.submit(input, samples).join());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Test
    void requestsQueuedBehindABusyModelAreCoalescedUpToTheMaximum() throws Exception {
        Model model = new Model(true);
        Sizes sizes = new Sizes();
        try (DynamicBatcher b = batcher(model, sizes, 4, Duration.ZERO, 100)) {
            CompletableFuture<float[]> first = submitElsewhere(b, values(0), 1);
            assertTrue(model.running.await(5, TimeUnit.SECONDS));
            List<CompletableFuture<float[]>> rest = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                rest.add(b.submit(values(i), 1));
            }
            model.release.countDown();
            assertArrayEquals(values(0, 1), first.get(5, TimeUnit.SECONDS));
            for (int i = 1; i <= 10; i++) {
                assertArrayEquals(values(2 * i, i + 1), rest.get(i - 1).get(5, TimeUnit.SECONDS), "request " + i);
            }
            assertEquals(List.of(1, 4, 4, 2), sizes.samples);
        }
    }

    @Test
    void aBatchWaitsAtMostTheDelayFromItsFirstRequest() throws Exception {
        Model model = new Model(false);
        Sizes sizes = new Sizes();
        try (DynamicBatcher b = batcher(model, sizes, 8, Duration.ofMillis(300), 100)) {
            long start = System.nanoTime();
            CompletableFuture<float[]> a = b.submit(values(1), 1);
            Thread.sleep(50);
            CompletableFuture<float[]> c = b.submit(values(2), 1);
            a.get(5, TimeUnit.SECONDS);
            long waited = (System.nanoTime() - start) / 1_000_000;
            c.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(2), sizes.samples, "both requests in one batch");
            assertTrue(waited >= 280, "the batch waited " + waited + " ms for more requests");
            assertTrue(waited < 3000, "the batch waited " + waited + " ms");
        }
    }

    @Test
    void aFullBatchRunsWithoutWaitingForTheDelay() throws Exception {
        Model model = new Model(false);
        Sizes sizes = new Sizes();
        try (DynamicBatcher b = batcher(model, sizes, 2, Duration.ofSeconds(30), 100)) {
            CompletableFuture<float[]> a = b.submit(values(1), 1);
            CompletableFuture<float[]> c = b.submit(values(2), 1);
            a.get(5, TimeUnit.SECONDS);
            c.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(2), sizes.samples);
        }
    }

    @Test
    void aFullQueueRefusesInsteadOfGrowing() throws Exception {
        Model model = new Model(true);
        try (DynamicBatcher b = batcher(model, new Sizes(), 1, Duration.ZERO, 2)) {
            CompletableFuture<float[]> running = submitElsewhere(b, values(0), 1);
            assertTrue(model.running.await(5, TimeUnit.SECONDS));
            CompletableFuture<float[]> q1 = b.submit(values(1), 1);
            CompletableFuture<float[]> q2 = b.submit(values(2), 1);
            QueueFullException full = assertThrows(QueueFullException.class, () -> b.submit(values(3), 1));
            assertTrue(full.getMessage().contains("test/1 has 2 requests waiting"), full.getMessage());
            model.release.countDown();
            running.get(5, TimeUnit.SECONDS);
            assertArrayEquals(values(4, 3), q2.get(5, TimeUnit.SECONDS));
            assertArrayEquals(values(2, 2), q1.get(5, TimeUnit.SECONDS));
            assertArrayEquals(values(6, 4), b.submit(values(3), 1).get(5, TimeUnit.SECONDS), "room again");
        }
    }

    @Test
    void requestsNeverSplitAndLargeOnesRunAloneInChunks() throws Exception {
        Model model = new Model(true);
        Sizes sizes = new Sizes();
        try (DynamicBatcher b = batcher(model, sizes, 4, Duration.ZERO, 100)) {
            CompletableFuture<float[]> first = submitElsewhere(b, values(0), 1);
            assertTrue(model.running.await(5, TimeUnit.SECONDS));
            CompletableFuture<float[]> three = b.submit(values(1, 2, 3), 3);
            CompletableFuture<float[]> twoMore = b.submit(values(4, 5), 2);
            CompletableFuture<float[]> ten = b.submit(values(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 10);
            model.release.countDown();
            first.get(5, TimeUnit.SECONDS);
            assertArrayEquals(values(2, 2, 4, 3, 6, 4), three.get(5, TimeUnit.SECONDS));
            assertArrayEquals(values(8, 5, 10, 6), twoMore.get(5, TimeUnit.SECONDS));
            float[] out = ten.get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                assertEquals(2 * i, out[2 * i]);
                assertEquals(i + 1, out[2 * i + 1]);
            }
            // 1 | 3 (2 does not fit after it) | 2 | 10 alone as 4 + 4 + 2
            assertEquals(List.of(1, 3, 2, 4, 4, 2), sizes.samples);
            // 3 samples ran padded to the plan size 4
            assertEquals(List.of(1, 4, 2, 4, 4, 2), model.plans);
        }
    }

    @Test
    void withoutADelayARequestFindingTheModelIdleRunsOnTheCallersThread() throws Exception {
        List<Thread> threads = new CopyOnWriteArrayList<>();
        DynamicBatcher.Runner runner = (inputs, batch) -> {
            threads.add(Thread.currentThread());
            return new float[batch * 2];
        };
        try (DynamicBatcher b = new DynamicBatcher("test/1", 1, 2, new BatchingOptions(4, Duration.ZERO, 10), runner,
                DynamicBatcher.Observer.NONE)) {
            assertTrue(b.submit(values(1), 1).isDone(), "answered before submit returned");
            assertEquals(List.of(Thread.currentThread()), threads);
        }
        try (DynamicBatcher b = new DynamicBatcher("test/2", 1, 2, new BatchingOptions(4, Duration.ofMillis(1), 10),
                runner, DynamicBatcher.Observer.NONE)) {
            b.submit(values(1), 1).get(5, TimeUnit.SECONDS);
            assertTrue(threads.getLast().getName().startsWith("nabla-batcher-test/2"), "with a delay, the worker");
        }
    }

    @Test
    void aFailedBatchFailsItsRequestsAndTheNextBatchRuns() throws Exception {
        Model model = new Model(false);
        try (DynamicBatcher b = batcher(model, new Sizes(), 4, Duration.ZERO, 100)) {
            model.fail = true;
            CompletableFuture<float[]> failed = b.submit(values(1), 1);
            CompletionException e = assertThrows(CompletionException.class, failed::join);
            assertTrue(e.getCause().getMessage().contains("the model failed"));
            model.fail = false;
            assertArrayEquals(values(4, 3), b.submit(values(2), 1).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingRunsWhatIsQueuedThenRefuses() throws Exception {
        Model model = new Model(true);
        DynamicBatcher b = batcher(model, new Sizes(), 1, Duration.ZERO, 100);
        CompletableFuture<float[]> running = submitElsewhere(b, values(0), 1);
        assertTrue(model.running.await(5, TimeUnit.SECONDS));
        CompletableFuture<float[]> queued = b.submit(values(5), 1);
        Thread closer = Thread.ofPlatform().start(b::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (closer.getState() != Thread.State.WAITING) { // closed, and joining the worker
            assertTrue(System.nanoTime() < deadline, "close() did not wait for the running batch");
            Thread.onSpinWait();
        }
        model.release.countDown();
        closer.join(5000);
        assertArrayEquals(values(0, 1), running.get(5, TimeUnit.SECONDS));
        assertArrayEquals(values(10, 6), queued.get(5, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> b.submit(values(1), 1));
    }

    @Test
    void inputsOfTheWrongSizeAreABug() {
        try (DynamicBatcher b = batcher(new Model(false), new Sizes(), 4, Duration.ZERO, 100)) {
            assertThrows(IllegalArgumentException.class, () -> b.submit(values(1, 2), 1));
            assertThrows(IllegalArgumentException.class, () -> b.submit(new float[0], 0));
        }
    }
}
