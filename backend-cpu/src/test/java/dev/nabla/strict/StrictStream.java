package dev.nabla.strict;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One in-order queue of work run by one worker thread, like a GPU stream. {@link #enqueue} returns at once;
 * {@link #call} and {@link #synchronize} wait for everything queued before them. A task that throws does not stop
 * the queue: its exception is kept and rethrown to the caller by the next {@link #surface()} (which the backend
 * calls on entry to every method and after every wait), so an asynchronous error is never lost.
 */
final class StrictStream implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final Object lock = new Object();
    private Throwable failure; // guarded by lock: the first unreported error of a task, later ones suppressed

    StrictStream() {
        worker = new Thread(this::loop, "nabla-strict-stream-" + COUNT.incrementAndGet());
        worker.setDaemon(true);
        worker.start();
    }

    /** True on the worker thread. */
    boolean onWorker() {
        return Thread.currentThread() == worker;
    }

    /** Queues {@code task} and returns before it runs. */
    void enqueue(Runnable task) {
        if (onWorker()) {
            throw new IllegalStateException("the strict backend was called from its own worker thread");
        }
        if (!worker.isAlive()) {
            throw new IllegalStateException("the strict backend's stream is closed");
        }
        queue.add(task);
    }

    /** Queues {@code task}, waits for it (and so for all work queued before it), and returns its result. */
    <T> T call(Callable<T> task) {
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
            value = result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the strict backend", e);
        } catch (ExecutionException e) {
            surface(); // an earlier task's error comes first
            throw rethrowable(e.getCause());
        }
        surface();
        return value;
    }

    /** Waits until all queued work is done, then reports any error it raised. */
    void synchronize() {
        call(() -> null);
    }

    /** Takes (and so reports, once) the first error raised by queued work since the last report; null if none. */
    Throwable takeFailure() {
        synchronized (lock) {
            Throwable e = failure;
            failure = null;
            return e;
        }
    }

    /** Rethrows (once) the first error raised by queued work since the last report. */
    void surface() {
        Throwable e;
        synchronized (lock) {
            e = failure;
            failure = null;
        }
        if (e != null) {
            throw rethrowable(e);
        }
    }

    private void loop() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (task == STOP) {
                return;
            }
            try {
                task.run();
            } catch (Throwable e) {
                synchronized (lock) {
                    if (failure == null) {
                        failure = e;
                    } else if (failure != e) {
                        failure.addSuppressed(e);
                    }
                }
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
        return new IllegalStateException("strict backend: queued work failed", e);
    }

    /** Finishes the queued work and stops the worker. */
    @Override
    public void close() {
        if (worker.isAlive()) {
            queue.add(STOP);
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
