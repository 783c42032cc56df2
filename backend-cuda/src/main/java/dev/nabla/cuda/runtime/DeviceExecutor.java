package dev.nabla.cuda.runtime;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one platform thread that makes every CUDA call for one device (CUDA-NOTES.md, "Contexts and threads"): it
 * enters the device's context once ({@link Context#enter()}, on a GPU {@code cuDevicePrimaryCtxRetain} +
 * {@code cuCtxSetCurrent}) and then runs tasks from a single FIFO queue, so the work each calling thread submits runs
 * in the order that thread submitted it, whatever other threads do. The context is injected: the tests run this
 * executor with a fake "device" and no JCuda.
 *
 * <p><b>Asynchronous errors.</b> {@link #submit} returns before its task runs. When the task throws, the error is
 * kept for the submitting thread and rethrown to it by its next {@link #surface()} ({@link #call} and the backend's
 * synchronizing methods surface first), so an error is reported to the thread whose work failed and never lost:
 * <ul>
 *   <li>errors of work submitted through {@link #submitUnowned} (stream-ordered releases from the {@code Cleaner}
 *       thread) and errors of threads that have since ended belong to no live thread: the next {@link #surface()} of
 *       any thread reports them;</li>
 *   <li>one thread's later errors are attached to its first unreported one as suppressed exceptions;</li>
 *   <li>{@link #submitUnowned} itself never surfaces anything, so a release never consumes another thread's error
 *       (the rule of {@code Backend#release}).</li>
 * </ul>
 * A failed device call that the driver reports only at a later synchronizing call (a kernel's illegal address) is
 * reported by that call, to the thread that makes it: the GPU does not say which launch failed. CUDA makes such
 * errors sticky, so every later call fails too.
 *
 * <p>Calls from the device thread itself (a task that needs another device call) run inline, at once.
 */
public final class DeviceExecutor implements AutoCloseable {
    /** Entered on the device thread before its first task and exited after its last. */
    public interface Context {
        void enter();

        void exit();
    }

    private static final Runnable STOP = () -> { };

    private final String name;
    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Object lock = new Object();
    /** Guarded by lock: each live submitting thread's first unreported error. */
    private final Map<Thread, Throwable> pending = new IdentityHashMap<>();
    /** Guarded by lock: the first unreported error that belongs to no live thread. */
    private Throwable orphan;
    private volatile boolean closed;

    /**
     * Starts the device thread, enters {@code context} on it and returns once that is done.
     *
     * @throws RuntimeException what {@link Context#enter()} threw (the thread has then ended)
     */
    public DeviceExecutor(String name, Context context) {
        this.name = name;
        CompletableFuture<Void> started = new CompletableFuture<>();
        thread = new Thread(() -> run(context, started), "nabla-" + name);
        thread.setDaemon(true);
        thread.start();
        try {
            started.join();
        } catch (CompletionException e) {
            closed = true;
            throw rethrowable(e.getCause());
        }
    }

    /** The device's name, e.g. {@code cuda:0}. */
    public String name() {
        return name;
    }

    /** True on this executor's device thread. */
    public boolean onDeviceThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Queues {@code task}; its error is kept for the calling thread (see the class comment). Does not surface earlier
     * errors: callers surface at their own entry points.
     */
    public void submit(Runnable task) {
        if (onDeviceThread()) {
            task.run();
            return;
        }
        Thread owner = Thread.currentThread();
        enqueue(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                record(owner, e);
            }
        });
    }

    /**
     * Queues {@code task} whose error belongs to no thread (a release, which may come from any thread): the next
     * {@link #surface()} of any thread reports it. Never reports anything itself.
     */
    public void submitUnowned(Runnable task) {
        if (onDeviceThread()) {
            try {
                task.run();
            } catch (Throwable e) {
                record(null, e);
            }
            return;
        }
        enqueue(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                record(null, e);
            }
        });
    }

    /**
     * Runs {@code task} on the device thread after everything queued before it and returns its result. An error
     * queued work of this thread raised earlier is thrown first (with the task's own failure, if any, suppressed in
     * it); else the task's failure is thrown as it is.
     */
    public <T> T call(Callable<T> task) {
        if (onDeviceThread()) {
            try {
                return task.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(name + ": device task failed", e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        enqueue(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        T value;
        try {
            value = result.join(); // uninterruptible: the result (or error) of queued work must not be dropped
        } catch (CompletionException e) {
            Throwable own = e.getCause();
            Throwable earlier = take(Thread.currentThread());
            if (earlier != null) {
                if (earlier != own) {
                    earlier.addSuppressed(own);
                }
                throw rethrowable(earlier);
            }
            throw rethrowable(own);
        }
        surface();
        return value;
    }

    /** Waits until every task queued before this call has run, then surfaces. */
    public void drain() {
        call(() -> null);
    }

    /**
     * Rethrows (once) the first unreported error of work this thread submitted; else one that belongs to no live
     * thread.
     */
    public void surface() {
        Throwable e = take(Thread.currentThread());
        if (e != null) {
            throw rethrowable(e);
        }
    }

    /**
     * Records {@code error} for {@code owner} (null: for no thread), as if work that {@code owner} queued had thrown
     * it: for errors found later on the device thread, e.g. by {@link DeviceErrors}. Any thread.
     */
    public void report(Thread owner, Throwable error) {
        record(owner, error);
    }

    /** True if an error waits to be reported to the calling thread (tests, diagnostics). */
    public boolean hasPendingError() {
        synchronized (lock) {
            return pending.containsKey(Thread.currentThread()) || orphan != null;
        }
    }

    private void enqueue(Runnable task) {
        if (closed) {
            throw new IllegalStateException(name + ": the CUDA device executor is closed");
        }
        queue.add(task);
    }

    private void record(Thread owner, Throwable e) {
        synchronized (lock) {
            if (owner != null && owner.isAlive()) {
                Throwable first = pending.putIfAbsent(owner, e);
                if (first != null && first != e) {
                    first.addSuppressed(e);
                }
            } else if (orphan == null) {
                orphan = e;
            } else if (orphan != e) {
                orphan.addSuppressed(e);
            }
        }
    }

    private Throwable take(Thread current) {
        synchronized (lock) {
            Throwable own = pending.remove(current);
            if (own != null) {
                return own;
            }
            for (Iterator<Map.Entry<Thread, Throwable>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Thread, Throwable> entry = it.next();
                if (!entry.getKey().isAlive()) { // its thread ended: now nobody's
                    Throwable error = entry.getValue(); // before remove(): an IdentityHashMap entry dies with it
                    it.remove();
                    if (orphan == null) {
                        orphan = error;
                    } else {
                        orphan.addSuppressed(error);
                    }
                }
            }
            Throwable o = orphan;
            orphan = null;
            return o;
        }
    }

    private void run(Context context, CompletableFuture<Void> started) {
        try {
            context.enter();
        } catch (Throwable e) {
            started.completeExceptionally(e);
            return;
        }
        started.complete(null);
        try {
            while (true) {
                Runnable task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    continue; // only close() ends the device thread
                }
                if (task == STOP) {
                    return;
                }
                task.run(); // never throws: every queued wrapper catches
            }
        } finally {
            try {
                context.exit();
            } catch (Throwable e) {
                record(null, e);
            }
        }
    }

    private static RuntimeException rethrowable(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("CUDA device task failed", e);
    }

    /** Runs the work queued so far, exits the context and ends the device thread. Idempotent. */
    @Override
    public void close() {
        if (closed || onDeviceThread()) {
            closed = true;
            return;
        }
        closed = true;
        queue.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DeviceExecutor[" + name + "]";
    }
}
