package dev.nabla.serving.batching;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Coalesces the requests for one model version into batches. One worker thread takes the first waiting request,
 * then adds requests until the batch holds {@code maxBatchSize} samples or {@code maxQueueDelay} has passed since that
 * first request arrived (so time spent waiting for the worker counts), runs the batch (see {@link PlanSizes}) and
 * hands each caller its rows of the output. The queue is bounded: a full queue refuses a request at once.
 *
 * <p>A request never splits across batches; one that does not fit the current batch starts the next. A request with
 * more samples than {@code maxBatchSize} runs alone, in executions of at most {@code maxBatchSize} samples. One
 * execution runs at a time. Without a queue delay, a request that finds the model idle and the queue empty runs at
 * once on its caller's thread (it would have been a batch of its own anyway).
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

    /** Runs one execution: {@code batch} samples (a plan size) of the model's input, row-major. */
    @FunctionalInterface
    public interface Runner {
        float[] run(float[] inputs, int batch);
    }

    /** What the batcher reports, for metrics; called on the submitting and the worker thread. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        /** A request entered the queue. */
        default void enqueued() {
        }

        /** A request left the queue to run, {@code waitedNanos} after it arrived. */
        default void started(long waitedNanos) {
        }

        /** An execution of {@code samples} real samples (padding not counted) took {@code nanos}. */
        default void executed(int samples, long nanos) {
        }
    }

    /**
     * A request.
     *
     * @param queued whether it holds a place in the queue (until its batch starts)
     */
    private record Pending(float[] input, int samples, long arrivalNanos, CompletableFuture<float[]> result,
                           boolean queued) {
    }

    /** Queued by {@link #close}: the worker runs what is queued and stops (never interrupted mid-execution). */
    private static final Pending STOP = new Pending(new float[0], 0, 0, null, false);

    private final String name;
    private final int inputSize;
    private final int outputSize;
    private final int maxBatchSize;
    private final long maxDelayNanos;
    private final PlanSizes planSizes;
    private final Runner runner;
    private final Observer observer;
    private final int capacity;
    /** One permit per free place in the queue; the queue itself is unbounded so that {@link #STOP} always fits. */
    private final Semaphore places;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;
    /** Worker thread only: {@link #STOP} was taken. */
    private boolean stopping;
    /** Held while a batch runs: one execution at a time, on the worker or on an idle model's caller. */
    private final ReentrantLock executing = new ReentrantLock();

    /**
     * @param name       names the worker thread and errors, e.g. {@code fashion/3}
     * @param inputSize  values per input sample
     * @param outputSize values per output sample
     */
    public DynamicBatcher(String name, int inputSize, int outputSize, BatchingOptions options, Runner runner,
                          Observer observer) {
        this.name = name;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.maxBatchSize = options.maxBatchSize();
        this.maxDelayNanos = options.maxQueueDelay().toNanos();
        this.planSizes = PlanSizes.upTo(maxBatchSize);
        this.runner = runner;
        this.observer = observer;
        this.capacity = options.queueCapacity();
        this.places = new Semaphore(capacity);
        this.worker = Thread.ofPlatform().name("nabla-batcher-" + name).daemon().unstarted(this::work);
        worker.start();
    }

    /** The batch sizes executions run at. */
    public PlanSizes planSizes() {
        return planSizes;
    }

    /**
     * Queues {@code samples} samples ({@code input} holds {@code samples * inputSize} values) and returns their
     * outputs, {@code samples * outputSize} values, when their batch has run.
     *
     * @throws QueueFullException if the queue is full
     */
    public CompletableFuture<float[]> submit(float[] input, int samples) {
        if (samples < 1 || input.length != (long) samples * inputSize) {
            throw new IllegalArgumentException(name + ": " + samples + " samples of " + inputSize + " values need "
                    + (long) samples * inputSize + " values, found " + input.length);
        }
        if (closed) {
            throw new IllegalStateException(name + ": the batcher is closed");
        }
        CompletableFuture<float[]> ran = runIfIdle(input, samples);
        if (ran != null) {
            return ran;
        }
        if (!places.tryAcquire()) {
            throw new QueueFullException("model " + name + " has " + capacity + " requests waiting, its queue's "
                    + "capacity; retry later");
        }
        Pending pending = new Pending(input, samples, System.nanoTime(), new CompletableFuture<>(), true);
        observer.enqueued();
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            // closed while queueing: the worker may have gone already (if it took the request, it runs it)
            places.release();
            throw new IllegalStateException(name + ": the batcher is closed");
        }
        return pending.result;
    }

    /**
     * Without a queue delay, a request that finds the model idle and nobody waiting would form a batch of its own
     * at once anyway; it runs on the caller's thread, sparing the two thread hand-offs (to the worker and back) that
     * dominate a small model's latency. Requests arriving meanwhile queue for the worker as usual.
     */
    private CompletableFuture<float[]> runIfIdle(float[] input, int samples) {
        // queued() also counts requests the worker holds for its next batch: they go first
        if (maxDelayNanos != 0 || queued() != 0 || !executing.tryLock()) {
            return null;
        }
        try {
            Pending pending = new Pending(input, samples, System.nanoTime(), new CompletableFuture<>(), false);
            observer.enqueued(); // balanced by started(): a wait of zero
            execute(List.of(pending), samples);
            return pending.result;
        } finally {
            executing.unlock();
        }
    }

    /** Requests waiting to run (queued, or taken by the worker for a batch that has not started). */
    public int queued() {
        return capacity - places.availablePermits();
    }

    /** Stops the worker once every queued request has run; waits for it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void work() {
        Pending carried = null;
        while (true) {
            Pending first = carried != null ? carried : next();
            carried = null;
            if (first == null) {
                return;
            }
            // Gather the batch only once the model is free, so that requests arriving during a caller's run join it.
            executing.lock();
            try {
                carried = gatherAndRun(first);
            } finally {
                executing.unlock();
            }
        }
    }

    /** Adds requests to {@code first}'s batch and runs it; returns a request that did not fit, or null. */
    private Pending gatherAndRun(Pending first) {
        Pending carried = null;
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        int samples = first.samples;
        long deadline = first.arrivalNanos + maxDelayNanos;
        while (samples < maxBatchSize) {
            Pending more = poll(deadline);
            if (more == null) {
                break;
            }
            if (samples + more.samples > maxBatchSize) {
                carried = more;
                break;
            }
            batch.add(more);
            samples += more.samples;
        }
        execute(batch, samples);
        return carried;
    }

    /** The next request, waiting for one; null once the batcher is closed and the queue is empty. */
    private Pending next() {
        while (true) {
            Pending p = stopping ? queue.poll() : take();
            if (p != STOP) {
                return p;
            }
            stopping = true;
        }
    }

    /** A request that arrives before {@code deadline} (one already waiting if the deadline has passed), or null. */
    private Pending poll(long deadline) {
        while (true) {
            long wait = deadline - System.nanoTime();
            Pending p = wait <= 0 || stopping ? queue.poll() : pollFor(wait);
            if (p != STOP) {
                return p;
            }
            stopping = true;
        }
    }

    private Pending take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // nobody stops the worker by interrupting it (close queues STOP): keep waiting
            }
        }
    }

    private Pending pollFor(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (true) {
            try {
                return queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // as in take()
            }
        }
    }

    private void execute(List<Pending> batch, int samples) {
        long start = System.nanoTime();
        for (Pending p : batch) {
            if (p.queued) {
                places.release();
            }
            observer.started(start - p.arrivalNanos);
        }
        try {
            float[] outputs = samples <= maxBatchSize ? runBatch(batch, samples) : runAlone(batch.getFirst());
            int row = 0;
            for (Pending p : batch) {
                float[] mine = batch.size() == 1 && outputs.length == p.samples * outputSize ? outputs
                        : Arrays.copyOfRange(outputs, row * outputSize, (row + p.samples) * outputSize);
                row += p.samples;
                p.result.complete(mine);
            }
        } catch (Throwable t) {
            log.error("{}: a batch of {} samples failed", name, samples, t);
            for (Pending p : batch) {
                p.result.completeExceptionally(t);
            }
        }
    }

    /** Runs requests that fit one execution, padded to its plan size; the outputs of the padding included. */
    private float[] runBatch(List<Pending> batch, int samples) {
        int plan = planSizes.planFor(samples);
        float[] inputs;
        if (batch.size() == 1 && plan == samples) {
            inputs = batch.getFirst().input;
        } else {
            inputs = new float[plan * inputSize];
            int offset = 0;
            for (Pending p : batch) {
                System.arraycopy(p.input, 0, inputs, offset, p.input.length);
                offset += p.input.length;
            }
        }
        return timed(inputs, plan, samples);
    }

    /** Runs one request larger than a batch in executions of at most {@code maxBatchSize} samples. */
    private float[] runAlone(Pending p) {
        float[] outputs = new float[p.samples * outputSize];
        for (int done = 0; done < p.samples; ) {
            int n = Math.min(maxBatchSize, p.samples - done);
            int plan = planSizes.planFor(n);
            float[] inputs = new float[plan * inputSize];
            System.arraycopy(p.input, done * inputSize, inputs, 0, n * inputSize);
            float[] out = timed(inputs, plan, n);
            System.arraycopy(out, 0, outputs, done * outputSize, n * outputSize);
            done += n;
        }
        return outputs;
    }

    private float[] timed(float[] inputs, int plan, int samples) {
        long start = System.nanoTime();
        float[] out = runner.run(inputs, plan);
        observer.executed(samples, System.nanoTime() - start);
        if (out.length != plan * outputSize) {
            throw new IllegalStateException(name + ": a batch of " + plan + " gave " + out.length + " output values, "
                    + "expected " + plan * outputSize);
        }
        return out;
    }
}
