package dev.nabla.data;

import dev.nabla.Generator;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches of a {@link Dataset}, optionally shuffled, with an optional transform of the inputs.
 * A background thread prepares the next batches while the current one trains.
 *
 * <p>Order and augmentation are pure functions of {@code (seed, epoch)}: iterating epoch {@code e}
 * always gives the same batches, whichever epochs came before, so training resumed from a
 * checkpoint sees exactly the data an uninterrupted run would.
 */
public final class DataLoader {
    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final Transform transform;
    private final int prefetch;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.seed = b.seed;
        this.transform = b.transform;
        this.prefetch = b.prefetch;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Seed of the shuffling and augmentation streams. */
    public long seed() {
        return seed;
    }

    /** Number of batches per epoch. */
    public int numBatches() {
        int n = dataset.size();
        return (int) (dropLast ? n / batchSize : ((long) n + batchSize - 1) / batchSize); // long: n + batchSize may overflow
    }

    /** The example order of {@code epoch}. */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            Generator g = new Generator(mix(seed, epoch, -1));
            for (int i = n - 1; i > 0; i--) {  // Fisher-Yates
                int j = (int) g.nextLong(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Batch {@code index} of {@code epoch}, transformed. */
    public Batch batch(int epoch, int index, int[] order) {
        int start = index * batchSize;
        int end = (int) Math.min(order.length, (long) start + batchSize);
        int[] indices = java.util.Arrays.copyOfRange(order, start, end);
        Batch batch = dataset.batch(indices);
        if (transform == null) {
            return batch;
        }
        Generator g = new Generator(mix(seed, epoch, index));
        // The transform's intermediates and the untransformed inputs go back to the backend now, not when the
        // garbage collector finds them (this runs once per batch, often on the loader's own thread).
        Tensor transformed;
        try (var scope = TensorScope.open()) {
            transformed = scope.keep(transform.apply(batch.inputs(), g));
        }
        if (transformed != batch.inputs()) {
            batch.inputs().close();
        }
        return new Batch(transformed, batch.targets());
    }

    /** The batches of {@code epoch}, prepared ahead on a background thread. */
    public Iterable<Batch> epoch(int epoch) {
        return () -> iterator(epoch);
    }

    /**
     * The batches of {@code epoch}; close the iterator when stopping early (or on an error) so that
     * the background thread ends.
     */
    public BatchIterator iterator(int epoch) {
        return prefetch > 0 ? new PrefetchingIterator(epoch) : new DirectIterator(epoch);
    }

    /** An iterator over one epoch's batches that may hold a background thread until closed. */
    public interface BatchIterator extends java.util.Iterator<Batch>, AutoCloseable {
        @Override
        void close();
    }

    private static long mix(long seed, long epoch, long batch) {
        Generator g = new Generator(seed ^ (epoch * 0x9E3779B97F4A7C15L) ^ (batch * 0xC2B2AE3D27D4EB4FL));
        return g.nextLong();
    }

    private final class DirectIterator implements BatchIterator {
        private final int epoch;
        private final int[] order;
        private int next;

        DirectIterator(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
        }

        public boolean hasNext() {
            return next < numBatches();
        }

        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return batch(epoch, next++, order);
        }

        public void close() {
            next = numBatches();
        }
    }

    /** Runs {@link DirectIterator} on a daemon thread, {@code prefetch} batches ahead. */
    private final class PrefetchingIterator implements BatchIterator {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(prefetch);
        private final Thread worker;
        private Object head;

        PrefetchingIterator(int epoch) {
            DirectIterator source = new DirectIterator(epoch);
            worker = Thread.ofPlatform().daemon().name("nabla-dataloader").start(() -> {
                try {
                    while (source.hasNext()) {
                        queue.put(source.next());
                    }
                    queue.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    try {
                        queue.put(e);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }

        public boolean hasNext() {
            if (head == null) {
                try {
                    while ((head = queue.poll(1, TimeUnit.SECONDS)) == null) {
                        if (!worker.isAlive() && queue.isEmpty()) {
                            throw new IllegalStateException("data loader thread stopped without finishing the epoch");
                        }
                    }
                } catch (InterruptedException e) {
                    worker.interrupt();
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the next batch", e);
                }
            }
            if (head instanceof RuntimeException e) {
                throw new IllegalStateException("data loading failed: " + e.getMessage(), e);
            }
            if (head instanceof Error e) {
                throw e;
            }
            return head != END;
        }

        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Batch b = (Batch) head;
            head = null;
            return b;
        }

        /** Stops the background thread (it may be blocked handing over a batch) and waits for it briefly. */
        public void close() {
            worker.interrupt();
            queue.clear();
            try {
                worker.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Settings of a {@link DataLoader}; defaults: batch 1, no shuffle, keep the last partial batch, prefetch 2. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private Transform transform;
        private int prefetch = 2;

        private Builder(Dataset dataset) {
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("DataLoader: batchSize must be positive, found " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder transform(Transform transform) {
            this.transform = transform;
            return this;
        }

        /** Batches prepared ahead on a background thread; 0 loads on the caller's thread. */
        public Builder prefetch(int batches) {
            if (batches < 0) {
                throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, found " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
