package dev.nabla.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The backend's one thread pool: {@code threads - 1} platform daemon workers plus the calling thread,
 * which always takes part. Work is described as a number of independent tasks; how tasks are spread
 * over threads never changes what each task computes, so results do not depend on the thread count.
 * A parallel call made from inside a task, or while another thread's parallel call is running, runs
 * serially on the calling thread.
 *
 * <p>Kernels make many short parallel calls (an MLP step makes dozens of ~0.1 ms ones), so handing work
 * over must cost microseconds, not the tens of microseconds of an executor queue: a call publishes one
 * job, idle workers spin briefly on its generation number before they park, and the caller spins briefly
 * for the last tasks before it parks.
 */
final class Parallel {
    /** Elementwise work below this many elements runs on the calling thread. */
    static final int MIN_PARALLEL_ELEMENTS = 32 * 1024;
    /** How long an idle worker or a waiting caller spins before it parks. */
    private static final long SPIN_NANOS = 50_000;

    private static final ThreadLocal<Boolean> IN_TASK = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private static volatile int threads;
    private static volatile Crew crew;

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
        if (n == threads && (crew != null || n == 1)) {
            return;
        }
        Crew old = crew;
        crew = n == 1 ? null : new Crew(n - 1);
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
        if (count <= 0) {
            return;
        }
        Crew c = crew;
        if (count == 1 || c == null || IN_TASK.get() || !c.busy.compareAndSet(false, true)) {
            for (int t = 0; t < count; t++) {
                task.run(t);
            }
            return;
        }
        Job job = new Job(task, count, Thread.currentThread());
        try {
            c.publish(job);
            IN_TASK.set(Boolean.TRUE);
            try {
                job.work();
            } finally {
                IN_TASK.set(Boolean.FALSE);
            }
            job.await();
        } finally {
            c.busy.set(false);
        }
        Throwable e = job.failure;
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

    /** One parallel call: tasks are claimed from a counter; {@code done} counts finished (or skipped) ones. */
    private static final class Job {
        final Task task;
        final int count;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;
        volatile boolean callerParked;

        Job(Task task, int count, Thread caller) {
            this.task = task;
            this.count = count;
            this.caller = caller;
        }

        void work() {
            int t;
            while ((t = next.getAndIncrement()) < count) {
                if (failure == null) {
                    try {
                        task.run(t);
                    } catch (Throwable e) {
                        synchronized (this) {
                            if (failure == null) {
                                failure = e;
                            }
                        }
                    }
                }
                if (done.incrementAndGet() == count && callerParked) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void await() {
            long start = System.nanoTime();
            while (done.get() < count) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                callerParked = true;
                if (done.get() < count) {
                    LockSupport.parkNanos(this, 1_000_000);
                }
                callerParked = false;
            }
        }
    }

    /** The worker threads and the job slot they watch. */
    private static final class Crew {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        volatile Job job;
        volatile long generation;
        volatile boolean stopped;

        Crew(int n) {
            workers = new Worker[n];
            for (int i = 0; i < n; i++) {
                workers[i] = new Worker(this);
                Thread t = new Thread(workers[i], "nabla-cpu-" + THREAD_IDS.incrementAndGet());
                t.setDaemon(true);
                workers[i].thread = t;
                t.start();
            }
        }

        void publish(Job j) {
            job = j;
            generation++;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
        }

        void shutdown() {
            stopped = true;
            generation++;
            for (Worker w : workers) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    private static final class Worker implements Runnable {
        final Crew crew;
        volatile Thread thread;
        volatile boolean parked;

        Worker(Crew crew) {
            this.crew = crew;
        }

        @Override
        public void run() {
            IN_TASK.set(Boolean.TRUE);
            long seen = crew.generation;
            long idleSince = System.nanoTime();
            while (!crew.stopped) {
                long g = crew.generation;
                if (g != seen) {
                    seen = g;
                    Job j = crew.job;
                    if (j != null && !crew.stopped) {
                        j.work();
                    }
                    idleSince = System.nanoTime();
                    continue;
                }
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (crew.generation == seen && !crew.stopped) {
                    LockSupport.park(this);
                }
                parked = false;
                idleSince = System.nanoTime();
            }
        }
    }
}
