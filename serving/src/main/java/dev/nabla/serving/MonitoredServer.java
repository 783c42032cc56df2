package dev.nabla.serving;

import dev.nabla.NablaException;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.capture.CaptureMetrics;
import dev.nabla.serving.capture.CaptureReader;
import dev.nabla.serving.capture.CaptureStore;
import dev.nabla.serving.drift.DriftConfig;
import dev.nabla.serving.drift.DriftMonitor;
import dev.nabla.serving.drift.ReferenceSample;
import dev.nabla.serving.repository.ModelStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link InferenceServer} with the feedback loop attached: every answered request goes to a {@link CaptureStore},
 * feedback labels land there, and a {@link DriftMonitor} tests each served version's recent inputs and predictions
 * against the reference stored beside its model ({@code DIR/<name>/<version>/reference.safetensors}); capture and
 * drift statistics appear at {@code /metrics} with the server's own.
 * <pre>{@code
 * try (MonitoredServer server = MonitoredServer.start(InferenceServer.builder().repository(dir).port(8000),
 *         CaptureConfig.sqlite(dir.resolve("capture.db")), DriftConfig.DEFAULT, Duration.ofMinutes(1))) {
 *     ...
 * }
 * }</pre>
 */
public final class MonitoredServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitoredServer.class);

    private final InferenceServer server;
    private final CaptureStore store;
    private final CaptureMetrics captureMetrics;
    private final DriftMonitor drift;
    /**
     * References of the served versions by version directory, read once: the monitor keeps its detector while the
     * object is the same. A reference that is absent or fails to read is tried again at the next computation.
     */
    private final Map<Path, ReferenceSample> references = new HashMap<>();
    /** Version directories whose reference failed to read and was logged: logged once, not at every computation. */
    private final Set<Path> reported = new HashSet<>();

    private MonitoredServer(InferenceServer.Builder options, CaptureConfig capture, DriftConfig driftConfig,
                            Duration driftMaxAge) {
        PrometheusRegistry registry = new PrometheusRegistry();
        this.store = CaptureStore.open(capture);
        try {
            this.server = options.payloadSink(store).registry(registry).build();
            this.captureMetrics = CaptureMetrics.register(store, registry);
            this.drift = new DriftMonitor(store.reader(), this::targets, driftConfig, driftMaxAge).register(registry);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Opens the capture store, builds the server from {@code options} (its payload sink and registry are set here),
     * attaches capture metrics and drift monitoring, and starts it.
     *
     * @param driftMaxAge how long a drift report is reused before a scrape of {@code /metrics} computes it again
     */
    public static MonitoredServer start(InferenceServer.Builder options, CaptureConfig capture, DriftConfig drift,
                                        Duration driftMaxAge) {
        MonitoredServer monitored = new MonitoredServer(options, capture, drift, driftMaxAge);
        try {
            monitored.server.start();
        } catch (RuntimeException e) {
            monitored.close();
            throw e;
        }
        return monitored;
    }

    public InferenceServer server() {
        return server;
    }

    /** The port the server listens on. */
    public int port() {
        return server.port();
    }

    public CaptureStore capture() {
        return store;
    }

    /** A reader of the capture store, for retraining in this process. */
    public CaptureReader captureReader() {
        return store.reader();
    }

    public DriftMonitor drift() {
        return drift;
    }

    /** The served version of each model that has a reference beside its model file. */
    private synchronized List<DriftMonitor.Target> targets() {
        List<DriftMonitor.Target> targets = new ArrayList<>();
        Set<Path> served = new HashSet<>();
        for (ModelStatus model : server.repository().models()) {
            if (model.servedVersion().isEmpty()) {
                continue;
            }
            String version = Long.toString(model.servedVersion().getAsLong());
            Path dir = server.repository().root().resolve(model.name()).resolve(version);
            served.add(dir);
            reference(dir).ifPresent(r -> targets.add(new DriftMonitor.Target(model.name(), version, r)));
        }
        references.keySet().retainAll(served); // versions no longer served are forgotten
        reported.retainAll(served);
        return targets;
    }

    private Optional<ReferenceSample> reference(Path versionDir) {
        ReferenceSample known = references.get(versionDir);
        if (known != null) {
            return Optional.of(known);
        }
        try {
            Optional<ReferenceSample> read = ReferenceSample.forVersion(versionDir);
            read.ifPresent(r -> references.put(versionDir, r));
            return read;
        } catch (NablaException | java.io.UncheckedIOException e) {
            if (reported.add(versionDir)) {
                LOG.warn("no drift monitoring for {} until its reference reads: {}", versionDir, e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** Stops the server (requests in progress finish), then the drift monitor, the capture metrics and the store. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                drift.close();
                captureMetrics.close();
            } finally {
                store.close();
            }
        }
    }
}
