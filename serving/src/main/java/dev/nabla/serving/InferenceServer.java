package dev.nabla.serving;

import dev.nabla.serving.batching.BatchingOptions;
import dev.nabla.serving.capture.PayloadSink;
import dev.nabla.serving.http.HttpServer;
import dev.nabla.serving.metrics.ServerMetrics;
import dev.nabla.serving.repository.ModelRepository;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * An inference server for a repository of compiled models, speaking the Open Inference Protocol (KServe V2) over
 * HTTP:
 * <pre>{@code
 * try (InferenceServer server = InferenceServer.builder().repository(Path.of("models")).port(8000).build()) {
 *     server.start();
 *     ...
 * }
 * }</pre>
 * {@link #start} loads every model of the repository (a model that fails to load is reported, not fatal), then
 * listens; the repository is scanned again every poll interval for new versions. {@link #close} stops gracefully:
 * requests in progress finish, then the models are unloaded. The payload sink is not closed: its owner closes it
 * after the server.
 */
public final class InferenceServer implements AutoCloseable {
    private final ModelRepository repository;
    private final ServerMetrics metrics;
    private final HttpServer http;
    private final Duration pollInterval;
    private boolean started;
    private boolean closed;

    private InferenceServer(Builder b) {
        this.metrics = new ServerMetrics(b.registry != null ? b.registry : new PrometheusRegistry());
        this.repository = new ModelRepository(b.repository, b.batching, metrics);
        this.pollInterval = b.pollInterval;
        this.http = new HttpServer(repository, b.sink, metrics, new HttpServer.Options(b.host, b.port,
                b.maxBodyBytes, b.inFlightBudgetBytes, b.shutdownTimeout, version()));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads the repository's models and starts listening. */
    public synchronized InferenceServer start() {
        if (started || closed) {
            throw new IllegalStateException("the server was already started");
        }
        started = true;
        repository.start(pollInterval);
        try {
            http.start();
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
        return this;
    }

    /** The port the server listens on; after {@link #start}. */
    public int port() {
        return http.port();
    }

    /**
     * The server's metrics registry, which {@code /metrics} exposes: register collectors of other components
     * (e.g. drift statistics) here.
     */
    public PrometheusRegistry registry() {
        return metrics.registry();
    }

    /** The model repository (its models and their states). */
    public ModelRepository repository() {
        return repository;
    }

    /** Scans the repository now instead of at the next poll. */
    public void rescan() {
        repository.scan();
    }

    /** Stops accepting requests, lets those in progress finish (up to the shutdown timeout), unloads the models. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (started) {
                http.stop();
            }
        } finally {
            repository.close();
        }
    }

    private static String version() {
        String v = InferenceServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "development";
    }

    /** Options of an {@link InferenceServer}; only the repository is required. */
    public static final class Builder {
        /** Request bodies of at most 16 MiB: ~2,000 28x28 images as JSON, ~5,000 as binary FP32. */
        public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;
        /** Largest body limit accepted (a body is held in one array). */
        public static final long MAX_BODY_BYTES = 1L << 30;

        private Path repository;
        private String host = "0.0.0.0";
        private int port = 8000;
        private BatchingOptions batching = BatchingOptions.DEFAULT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private long inFlightBudgetBytes = Runtime.getRuntime().maxMemory() / 4;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private PayloadSink sink = PayloadSink.NONE;
        private PrometheusRegistry registry;

        private Builder() {
        }

        /** The model repository, {@code DIR/<name>/<version>/model.nabla}. */
        public Builder repository(Path dir) {
            this.repository = Objects.requireNonNull(dir, "repository");
            return this;
        }

        /** The address to listen on (default 0.0.0.0, every interface). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port (default 8000); 0 picks a free one, which {@link #port()} then tells. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, found " + port);
            }
            this.port = port;
            return this;
        }

        /** Dynamic batching (default: batches of up to 64 samples, no delay, 1,024 requests queued per model). */
        public Builder batching(BatchingOptions batching) {
            this.batching = Objects.requireNonNull(batching, "batching");
            return this;
        }

        /** The largest request body; a larger one is refused with 413 (default 16 MiB). */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 1 || bytes > MAX_BODY_BYTES) {
                throw new IllegalArgumentException("max body bytes must be 1 to " + MAX_BODY_BYTES + ", found "
                        + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * Memory that the bodies of requests in progress may hold together (about 3 bytes per body byte); a request
         * that would exceed it is refused with 503 (default: a quarter of the heap).
         */
        public Builder inFlightBudgetBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("in-flight budget must be positive, found " + bytes);
            }
            this.inFlightBudgetBytes = bytes;
            return this;
        }

        /** How often the repository is scanned for new versions (default 1 s); zero scans only at start. */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("poll interval must not be negative, found " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** How long {@link #close} waits for requests in progress (default 30 s). */
        public Builder shutdownTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdown timeout must not be negative, found " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** Where served requests go after they are answered, and where feedback is attached (default: none). */
        public Builder payloadSink(PayloadSink sink) {
            this.sink = Objects.requireNonNull(sink, "payload sink");
            return this;
        }

        /**
         * The registry the metrics go to (default: a new one of the server's own). Its metric names must be free:
         * two servers cannot share one registry.
         */
        public Builder registry(PrometheusRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** @throws IllegalArgumentException if the repository is not set or is not a directory */
        public InferenceServer build() {
            if (repository == null) {
                throw new IllegalArgumentException("the server needs a model repository directory");
            }
            if (!Files.isDirectory(repository)) {
                throw new IllegalArgumentException("model repository " + repository + ": no such directory");
            }
            return new InferenceServer(this);
        }
    }
}
