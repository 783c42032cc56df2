package dev.nabla.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The backend's one thread pool: {@code threads - 1} platform daemon workers plus the calling thread,
 * which always takes part. Work is described as a number of independent tasks; how tasks are spread
 * over threads never changes what each task computes, so results do not depend on the thread count.
 * A parallel call made from inside a task runs serially.
 */
final class Parallel {
    /** Elementwise work below this many elements runs on the calling thread. */
    static final int MIN_PARALLEL_ELEMENTS = 32 * 1024;

    private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private static volatile int threads;
    private static volatile ExecutorService pool;

    static {
        setThreads(defaultThreads());
    }

    private Parallel() {
    }

    /** Body of one task of {@link #forTasks}. */
    @FunctionalInterface
    interface Task {
        void run(int task);
    }

    /** Body of one chunk of {@link #forChunks}: elements {@code [lo, hi)}. */
    @FunctionalInterface
    interface Range {
        void run(int lo, int hi);
    }

    static int defaultThreads() {
        String prop = System.getProperty("nabla.cpu.threads");
        if (prop != null && !prop.isBlank()) {
            try {
                int n = Integer.parseInt(prop.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("nabla.cpu.threads must be a positive integer, found '" + prop + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    static int threads() {
        return threads;
    }

    static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, found " + n);
        }
        if (n == threads && pool != null) {
            return;
        }
        ExecutorService old = pool;
        pool = n == 1 ? null : Executors.newFixedThreadPool(n - 1, r -> {
            Thread t = new Thread(r, "nabla-cpu-" + THREAD_IDS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads = n;
        if (old != null) {
            old.shutdown();
        }
    }

    /** True when a call made now would run serially anyway. */
    static boolean serial() {
        return threads == 1 || IN_TASK.get();
    }

    /**
     * Runs {@code body} on chunks {@code [k*grain, min((k+1)*grain, n))} of {@code [0, n)}. Chunk
     * boundaries depend only on {@code n} and {@code grain}; chunks run in parallel only when
     * {@code n >= minParallel}.
     */
    static void forChunks(int n, int grain, int minParallel, Range body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) (((long) n + grain - 1) / grain);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        Task task = k -> body.run(k * grain, (int) Math.min((long) (k + 1) * grain, n));
        if (n < minParallel) {
            for (int k = 0; k < chunks; k++) {
                task.run(k);
            }
        } else {
            forTasks(chunks, task);
        }
    }

    /** Runs tasks {@code 0..count-1}, in parallel when the pool has more than one thread. */
    static void forTasks(int count, Task task) {
        ExecutorService p = pool;
        if (count <= 0) {
            return;
        }
        if (count == 1 || p == null || IN_TASK.get()) {
            for (int t = 0; t < count; t++) {
                task.run(t);
            }
            return;
        }
        int helpers = Math.min(threads - 1, count - 1);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(helpers);
        Runnable worker = () -> {
            boolean outer = IN_TASK.get();
            IN_TASK.set(Boolean.TRUE);
            try {
                int t;
                while ((t = next.getAndIncrement()) < count) {
                    task.run(t);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                next.set(count);
            } finally {
                IN_TASK.set(outer);
            }
        };
        int submitted = 0;
        try {
            for (; submitted < helpers; submitted++) {
                p.execute(() -> {
                    try {
                        worker.run();
                    } finally {
                        done.countDown();
                    }
                });
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the pool was replaced by setThreads meanwhile: the caller does the remaining work
            for (int i = submitted; i < helpers; i++) {
                done.countDown();
            }
        }
        worker.run();
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
    }
}
