package dev.nabla.serving.capture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Payload capture into a database over JDBC: a SQLite file in WAL mode by default, any JDBC URL (PostgreSQL for a
 * store shared by several servers) as the option. See {@link CaptureConfig} for the settings.
 *
 * <p><b>Capturing.</b> {@link #offer} never blocks: it samples by a hash of the request id, checks sizes, and
 * queues the record; a writer thread writes queued records in batches, one transaction per batch. When the queue
 * holds its most records or bytes, offered records are dropped and counted ({@link #stats()}). A request is stored
 * as one row per sample; the first capture of a (model, request id) is kept and later ones are dropped as
 * duplicates. The store keeps the record's arrays until they are written: the caller must not change them.
 *
 * <p><b>Feedback.</b> {@link #attachLabels} is synchronous: it returns after its own transaction committed. A client
 * may send feedback the moment it has its answer, before the record is written or even offered; feedback therefore
 * waits for a queued record of that id to be written, and for a record the sampler would keep but has not seen yet,
 * up to {@link CaptureConfig#feedbackGrace()}.
 *
 * <p><b>Durability.</b> Everything committed survives a crash of the process (with SQLite's {@code synchronous=NORMAL}
 * in WAL mode, commits are in the log file when they return); what is still queued is lost. {@link #flush} returns
 * when everything offered before it is committed, and {@link #close} writes what is queued.
 *
 * <p><b>Reading.</b> {@link #reader()} reads on a connection of its own, without blocking the writer.
 */
public final class CaptureStore implements PayloadSink {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureStore.class);

    /** What the writer thread takes from the queue. */
    private sealed interface Item permits Record, Flush, Stop {
    }

    private record Record(QueuedRecord queued) implements Item {
    }

    private record Flush(CountDownLatch done) implements Item {
    }

    private record Stop() implements Item {
    }

    private final CaptureConfig config;
    private final String store;
    private final RequestSampler sampler;
    private final CaptureWriter writer;
    private final CaptureReader reader;
    private final BlockingQueue<Item> queue;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger queuedRecords = new AtomicInteger();
    /** Records offered and not yet written or dropped, by model and id: where feedback looks first. */
    private final ConcurrentHashMap<QueuedRecord.Key, QueuedRecord> pending = new ConcurrentHashMap<>();
    /** Feedback waiting for its record to be offered, by model and id; {@link #offer} counts their latches down. */
    private final ConcurrentHashMap<QueuedRecord.Key, List<CountDownLatch>> awaited = new ConcurrentHashMap<>();
    private final Thread writerThread;
    private volatile boolean closed;

    private final LongAdder offered = new LongAdder();
    private final LongAdder sampledOut = new LongAdder();
    private final LongAdder capturedRequests = new LongAdder();
    private final LongAdder capturedSamples = new LongAdder();
    private final LongAdder labelsAttached = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private final Map<FeedbackResult, LongAdder> feedback = new EnumMap<>(FeedbackResult.class);

    private CaptureStore(CaptureConfig config) {
        this.config = config;
        this.store = CaptureDatabase.describe(config);
        this.sampler = new RequestSampler(config.sampleRate(), config.samplingSeed());
        for (DropReason r : DropReason.values()) {
            dropped.put(r, new LongAdder());
        }
        for (FeedbackResult r : FeedbackResult.values()) {
            feedback.put(r, new LongAdder());
        }
        // Markers (flush, stop) need room too, so the queue has a little more than the record capacity.
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity() + 16);
        this.writer = new CaptureWriter(config);
        CaptureReader r;
        try {
            r = new CaptureReader(CaptureDatabase.connect(config, false), store);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        this.reader = r;
        this.writerThread = Thread.ofPlatform().name("nabla-capture-writer").daemon(true).unstarted(this::writeLoop);
        writerThread.start();
    }

    /**
     * Opens the store, creating the database file and its tables when absent.
     *
     * @throws CaptureStoreException if the database cannot be opened or holds another schema
     */
    public static CaptureStore open(CaptureConfig config) {
        return new CaptureStore(config);
    }

    public CaptureConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ capturing

    @Override
    public void offer(InferenceRecord record) {
        offered.increment();
        if (!sampler.keeps(record.requestId())) {
            sampledOut.increment();
            return;
        }
        if (closed) {
            dropped.get(DropReason.CLOSED).increment();
            return;
        }
        DropReason problem = check(record);
        if (problem != null) {
            dropped.get(problem).increment();
            return;
        }
        long bytes = 4L * (record.input().length + record.output().length);
        QueuedRecord queued = new QueuedRecord(record, bytes);
        if (pending.putIfAbsent(queued.key, queued) != null) {
            dropped.get(DropReason.DUPLICATE).increment();
            return;
        }
        long bytesQueued = queuedBytes.addAndGet(bytes);
        int recordsQueued = queuedRecords.incrementAndGet();
        if (bytesQueued > config.maxQueuedBytes() || recordsQueued > config.queueCapacity()) {
            unqueue(queued, DropReason.QUEUE_FULL);
            return;
        }
        if (!queue.offer(new Record(queued))) {
            unqueue(queued, DropReason.QUEUE_FULL);
            return;
        }
        List<CountDownLatch> waiting = awaited.remove(queued.key);
        if (waiting != null) {
            waiting.forEach(CountDownLatch::countDown);
        }
    }

    /** Takes back what {@link #offer} counted for a record it then dropped. */
    private void unqueue(QueuedRecord queued, DropReason reason) {
        queuedBytes.addAndGet(-queued.bytes);
        queuedRecords.decrementAndGet();
        pending.remove(queued.key, queued);
        queued.outcome.complete(QueuedRecord.Outcome.DROPPED);
        dropped.get(reason).increment();
    }

    /** Why {@code record} cannot be stored, or null when it can. */
    private DropReason check(InferenceRecord r) {
        if (r.model().length() > CaptureConfig.MAX_NAME_LENGTH || r.requestId().length() > CaptureConfig.MAX_NAME_LENGTH
                || r.version().length() > CaptureConfig.MAX_VERSION_LENGTH
                || r.inputShape().length > FloatBlobs.MAX_RANK || r.outputShape().length > FloatBlobs.MAX_RANK
                || r.input() == null || r.output() == null) {
            return DropReason.MALFORMED;
        }
        int n = r.samples();
        long inPer = FloatBlobs.numel(r.inputShape(), 1);
        long outPer = FloatBlobs.numel(r.outputShape(), 1);
        if (n < 1 || inPer < 0 || outPer < 0 || r.input().length != n * inPer || r.output().length != n * outPer) {
            return DropReason.MALFORMED;
        }
        if (n > config.maxSamplesPerRecord() || inPer > config.maxValuesPerSample()
                || outPer > config.maxValuesPerSample()) {
            return DropReason.TOO_LARGE;
        }
        return null;
    }

    private void writeLoop() {
        List<Item> items = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            items.clear();
            try {
                items.add(queue.take());
            } catch (InterruptedException e) {
                // close() interrupts only when the writer does not stop by itself; what is queued is counted there
                return;
            }
            queue.drainTo(items, config.batchSize() - 1);
            List<QueuedRecord> batch = new ArrayList<>();
            List<CountDownLatch> flushed = new ArrayList<>();
            for (Item item : items) {
                switch (item) {
                    case Record r -> batch.add(r.queued());
                    case Flush f -> flushed.add(f.done());
                    case Stop s -> stop = true;
                }
            }
            if (!batch.isEmpty()) {
                write(batch);
            }
            flushed.forEach(CountDownLatch::countDown);
        }
    }

    private void write(List<QueuedRecord> batch) {
        Map<QueuedRecord, QueuedRecord.Outcome> outcomes;
        try {
            outcomes = writer.write(batch);
        } catch (RuntimeException e) { // a bug; the writer must survive it
            LOG.error("{}: capture writer failed on {} records", store, batch.size(), e);
            outcomes = new LinkedHashMap<>();
            for (QueuedRecord r : batch) {
                outcomes.put(r, QueuedRecord.Outcome.FAILED);
            }
        }
        for (QueuedRecord r : batch) {
            QueuedRecord.Outcome outcome = outcomes.getOrDefault(r, QueuedRecord.Outcome.FAILED);
            switch (outcome) {
                case WRITTEN -> {
                    capturedRequests.increment();
                    capturedSamples.add(r.record.samples());
                }
                case DUPLICATE -> dropped.get(DropReason.DUPLICATE).increment();
                case FAILED -> dropped.get(DropReason.WRITE_FAILED).increment();
                case DROPPED -> throw new IllegalStateException("the writer reports writes, duplicates and failures");
            }
            queuedBytes.addAndGet(-r.bytes);
            queuedRecords.decrementAndGet();
            pending.remove(r.key, r);
            r.outcome.complete(outcome);
        }
    }

    /**
     * Returns when every record offered before this call has been written (or dropped); for tests, for a clean
     * shutdown, and for programs that must know what is committed.
     */
    public void flush() {
        if (closed) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        try {
            queue.put(new Flush(done));
            // A close racing with this call may stop the writer before it reaches the marker.
            while (!done.await(100, TimeUnit.MILLISECONDS)) {
                if (!writerThread.isAlive()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureStoreException(store + ": interrupted while waiting for the capture writer");
        }
    }

    // ------------------------------------------------------------------ feedback

    @Override
    public FeedbackResult attachLabels(String model, String requestId, long[] labels) {
        if (model == null || requestId == null || labels == null) {
            throw new IllegalArgumentException("feedback needs a model, a request id and labels");
        }
        FeedbackResult result = attach(model, requestId, labels);
        feedback.get(result).increment();
        if (result == FeedbackResult.ATTACHED) {
            labelsAttached.add(labels.length);
        }
        return result;
    }

    private FeedbackResult attach(String model, String requestId, long[] labels) {
        if (!sampler.keeps(requestId) || model.length() > CaptureConfig.MAX_NAME_LENGTH
                || requestId.length() > CaptureConfig.MAX_NAME_LENGTH) {
            return FeedbackResult.NOT_CAPTURED;
        }
        QueuedRecord.Key key = new QueuedRecord.Key(model, requestId);
        // Registered before looking, so that an offer after the look cannot pass unseen: a record offered before
        // it is queued (pending) or, having left the queue, committed.
        CountDownLatch arrived = new CountDownLatch(1);
        awaited.compute(key, (k, list) -> {
            List<CountDownLatch> latches = list == null ? new ArrayList<>() : list;
            latches.add(arrived);
            return latches;
        });
        try {
            FeedbackResult result = find(key, labels);
            if (result != null) {
                return result;
            }
            if (!awaitArrival(arrived, key)) {
                return FeedbackResult.NOT_CAPTURED; // never offered, or sampled in but dropped
            }
            result = find(key, labels);
            return result != null ? result : FeedbackResult.NOT_CAPTURED;
        } finally {
            awaited.computeIfPresent(key, (k, list) -> {
                list.remove(arrived);
                return list.isEmpty() ? null : list;
            });
        }
    }

    /**
     * Attaches the labels where the record is: after waiting for it to be written if it is queued, then in the
     * database. Null when it is in neither (not offered yet); NOT_CAPTURED when it was queued but then dropped.
     */
    private FeedbackResult find(QueuedRecord.Key key, long[] labels) {
        QueuedRecord queued = pending.get(key);
        if (queued != null) {
            awaitWritten(queued);
        }
        FeedbackResult result = writer.attach(key.model(), key.requestId(), labels, System.currentTimeMillis());
        return result == null && queued != null ? FeedbackResult.NOT_CAPTURED : result;
    }

    private void awaitWritten(QueuedRecord queued) {
        try {
            queued.outcome.get(config.feedbackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CaptureStoreException(store + ": request '" + queued.key.requestId() + "' of model '"
                    + queued.key.model() + "' is still waiting to be written after " + config.feedbackTimeout()
                    .toMillis() + " ms; the capture writer is behind");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureStoreException(store + ": interrupted while waiting for the capture writer");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // the future is only ever completed normally
        }
    }

    /** Waits up to the feedback grace period for the record of {@code key} to be offered. */
    private boolean awaitArrival(CountDownLatch arrived, QueuedRecord.Key key) {
        try {
            return arrived.await(config.feedbackGrace().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureStoreException(store + ": interrupted while waiting for request '" + key.requestId()
                    + "' to be captured");
        }
    }

    // ------------------------------------------------------------------ reading, counts, closing

    /** Reads what is committed; the same reader for the life of the store (closed with it). */
    public CaptureReader reader() {
        return reader;
    }

    public CaptureStats stats() {
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        dropped.forEach((reason, count) -> d.put(reason, count.sum()));
        Map<FeedbackResult, Long> f = new EnumMap<>(FeedbackResult.class);
        feedback.forEach((result, count) -> f.put(result, count.sum()));
        return new CaptureStats(offered.sum(), sampledOut.sum(), capturedRequests.sum(), capturedSamples.sum(), d,
                Math.max(0, queuedRecords.get()), f, labelsAttached.sum());
    }

    /** Writes what is queued, stops the writer and closes the connections. Later offers are dropped as CLOSED. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            queue.put(new Stop());
            writerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writerThread.interrupt();
        }
        // Offers racing with close may have queued after the stop marker.
        List<Item> left = new ArrayList<>();
        queue.drainTo(left);
        for (Item item : left) {
            switch (item) {
                case Record r -> unqueue(r.queued(), DropReason.CLOSED);
                case Flush f -> f.done().countDown();
                case Stop s -> {
                }
            }
        }
        writer.close();
        reader.close();
        LOG.debug("{}: capture closed: {}", store, stats());
    }
}
