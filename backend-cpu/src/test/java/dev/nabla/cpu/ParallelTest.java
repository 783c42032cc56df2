package dev.nabla.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The thread pool runs every task exactly once, propagates failures and copes with nesting and concurrent callers. */
class ParallelTest {
    static final int THREADS = Parallel.threads();

    @AfterAll
    static void restore() {
        Parallel.setThreads(THREADS);
    }

    static void runAll(int count) {
        AtomicIntegerArray hits = new AtomicIntegerArray(count);
        Parallel.forTasks(count, t -> hits.incrementAndGet(t));
        for (int t = 0; t < count; t++) {
            assertEquals(1, hits.get(t), "task " + t + " of " + count);
        }
    }

    @Test
    void everyTaskRunsExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 4}) {
            Parallel.setThreads(threads);
            for (int i = 0; i < 2000; i++) {
                runAll(1 + i % 37);
            }
        }
    }

    @Test
    void failuresPropagateAndThePoolKeepsWorking() {
        Parallel.setThreads(3);
        IllegalStateException boom = new IllegalStateException("boom");
        for (int i = 0; i < 50; i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forTasks(64, t -> {
                if (t == 13) {
                    throw boom;
                }
            }));
            assertSame(boom, e);
            runAll(64);
        }
    }

    @Test
    void nestedCallsRunInsideTheirTask() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(16 * 16);
        Parallel.forTasks(16, outer -> Parallel.forTasks(16, inner -> hits.incrementAndGet(outer * 16 + inner)));
        for (int i = 0; i < 256; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void concurrentCallersAllComplete() throws Exception {
        Parallel.setThreads(2);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                futures.add(callers.submit((Callable<Void>) () -> {
                    for (int i = 0; i < 500; i++) {
                        runAll(1 + i % 23);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
