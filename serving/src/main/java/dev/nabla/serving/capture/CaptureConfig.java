package dev.nabla.serving.capture;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link CaptureStore} captures: where (a JDBC URL), how much (sampling rate, size limits) and how much it may
 * hold in memory before it drops. Start from {@link #sqlite(Path)} or {@link #jdbc(String)} and change what differs
 * with the {@code with...} methods.
 *
 * @param jdbcUrl             the database; {@code jdbc:sqlite:FILE} gets WAL mode and the pragmas below
 * @param sampleRate          the fraction of requests captured, 0 to 1, decided by a hash of the request id
 * @param samplingSeed        the hash's seed: servers with the same seed and rate capture the same ids
 * @param queueCapacity       records waiting for the writer, at most; more are dropped and counted
 * @param maxQueuedBytes      bytes of waiting records' tensors, at most; more are dropped and counted
 * @param batchSize           records written per transaction, at most
 * @param maxSamplesPerRecord samples per captured request, at most; larger requests are not captured
 * @param maxValuesPerSample  values per sample's input and per sample's output, at most
 * @param feedbackGrace       how long feedback waits for a request that the sampler keeps but that has not been
 *                            handed to the store yet (the server may answer before it calls {@code offer})
 * @param feedbackTimeout     how long feedback waits for the writer to store a queued request
 * @param synchronous         SQLite's {@code synchronous} pragma (ignored for other databases)
 */
public record CaptureConfig(String jdbcUrl, double sampleRate, long samplingSeed, int queueCapacity,
                            long maxQueuedBytes, int batchSize, int maxSamplesPerRecord, int maxValuesPerSample,
                            Duration feedbackGrace, Duration feedbackTimeout, SqliteSynchronous synchronous) {
    /** The usual name of the store in a model repository. */
    public static final String DEFAULT_FILE_NAME = "capture.db";
    /** Longest model name, version and request id stored (the columns' sizes). */
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_VERSION_LENGTH = 128;

    /**
     * SQLite's durability in WAL mode. {@link #NORMAL}: a commit is in the write-ahead log (in the operating system's
     * cache) when it returns, so it survives a crash or {@code kill -9} of the process; a power loss or an operating
     * system crash can lose the last commits but never corrupts the database. {@link #FULL}: the log is also synced
     * to disk on every commit, which survives a power loss and costs one fsync per transaction.
     */
    public enum SqliteSynchronous {
        NORMAL,
        FULL
    }

    public CaptureConfig {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("capture: expected a JDBC URL (jdbc:sqlite:FILE, jdbc:postgresql://...), "
                    + "found " + (jdbcUrl == null ? "none" : "'" + jdbcUrl + "'"));
        }
        if (!(sampleRate >= 0 && sampleRate <= 1)) {
            throw new IllegalArgumentException("capture: the sample rate must be 0 to 1, found " + sampleRate);
        }
        positive("queue capacity", queueCapacity);
        positive("batch size", batchSize);
        positive("samples per record", maxSamplesPerRecord);
        positive("values per sample", maxValuesPerSample);
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("capture: the queued bytes limit must be positive, found "
                    + maxQueuedBytes);
        }
        if (feedbackGrace == null || feedbackGrace.isNegative() || feedbackTimeout == null
                || feedbackTimeout.isNegative()) {
            throw new IllegalArgumentException("capture: feedback waits must be zero or positive durations, found "
                    + feedbackGrace + " and " + feedbackTimeout);
        }
        if (synchronous == null) {
            throw new IllegalArgumentException("capture: expected a SQLite synchronous mode, found none");
        }
    }

    /** A SQLite file (created with its directory's permissions when absent) with the defaults. */
    public static CaptureConfig sqlite(Path file) {
        return jdbc("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /**
     * Any JDBC URL with the defaults: everything captured, 1,024 queued records or 64 MiB at most, 64 records per
     * transaction, 1,024 samples of 1 Mi values each per request at most, feedback waiting 0.5 s for a request not
     * yet handed over and 10 s for the writer, SQLite {@code synchronous=NORMAL}.
     */
    public static CaptureConfig jdbc(String url) {
        return new CaptureConfig(url, 1.0, 0L, 1024, 64L << 20, 64, 1024, 1 << 20, Duration.ofMillis(500),
                Duration.ofSeconds(10), SqliteSynchronous.NORMAL);
    }

    /** {@code store} as given on a command line: a JDBC URL, or else the path of a SQLite file. */
    public static CaptureConfig of(String store) {
        return store.startsWith("jdbc:") ? jdbc(store) : sqlite(Path.of(store));
    }

    /** Whether the URL names SQLite, which gets WAL mode and the synchronous pragma. */
    public boolean isSqlite() {
        return jdbcUrl.startsWith("jdbc:sqlite:");
    }

    public CaptureConfig withSampleRate(double rate) {
        return new CaptureConfig(jdbcUrl, rate, samplingSeed, queueCapacity, maxQueuedBytes, batchSize,
                maxSamplesPerRecord, maxValuesPerSample, feedbackGrace, feedbackTimeout, synchronous);
    }

    public CaptureConfig withSamplingSeed(long seed) {
        return new CaptureConfig(jdbcUrl, sampleRate, seed, queueCapacity, maxQueuedBytes, batchSize,
                maxSamplesPerRecord, maxValuesPerSample, feedbackGrace, feedbackTimeout, synchronous);
    }

    public CaptureConfig withQueue(int capacity, long maxBytes) {
        return new CaptureConfig(jdbcUrl, sampleRate, samplingSeed, capacity, maxBytes, batchSize,
                maxSamplesPerRecord, maxValuesPerSample, feedbackGrace, feedbackTimeout, synchronous);
    }

    public CaptureConfig withBatchSize(int records) {
        return new CaptureConfig(jdbcUrl, sampleRate, samplingSeed, queueCapacity, maxQueuedBytes, records,
                maxSamplesPerRecord, maxValuesPerSample, feedbackGrace, feedbackTimeout, synchronous);
    }

    public CaptureConfig withLimits(int samplesPerRecord, int valuesPerSample) {
        return new CaptureConfig(jdbcUrl, sampleRate, samplingSeed, queueCapacity, maxQueuedBytes, batchSize,
                samplesPerRecord, valuesPerSample, feedbackGrace, feedbackTimeout, synchronous);
    }

    public CaptureConfig withFeedbackWaits(Duration grace, Duration timeout) {
        return new CaptureConfig(jdbcUrl, sampleRate, samplingSeed, queueCapacity, maxQueuedBytes, batchSize,
                maxSamplesPerRecord, maxValuesPerSample, grace, timeout, synchronous);
    }

    public CaptureConfig withSynchronous(SqliteSynchronous mode) {
        return new CaptureConfig(jdbcUrl, sampleRate, samplingSeed, queueCapacity, maxQueuedBytes, batchSize,
                maxSamplesPerRecord, maxValuesPerSample, feedbackGrace, feedbackTimeout, mode);
    }

    private static void positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("capture: the " + what + " must be positive, found " + value);
        }
    }
}
