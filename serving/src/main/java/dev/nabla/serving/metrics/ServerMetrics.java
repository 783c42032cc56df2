package dev.nabla.serving.metrics;

import dev.nabla.serving.batching.DynamicBatcher;
import dev.nabla.serving.repository.RepositoryListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The server's metrics, in a registry of its own (not the global default, so that two servers in one JVM do not mix
 * their numbers; other components register their collectors in {@link #registry()} and {@code /metrics} shows them).
 *
 * <ul>
 *   <li>{@code nabla_inference_requests_total{model, outcome}}: infer requests by outcome ({@link RequestOutcome});
 *       {@code model} is empty for a model the repository does not have, so clients cannot grow the label set;</li>
 *   <li>{@code nabla_feedback_requests_total{outcome}};</li>
 *   <li>{@code nabla_inferences_total{model, version}}: samples inferred; {@code nabla_executions_total{model,
 *       version}}: model executions (batches), so the average batch size is their ratio;</li>
 *   <li>{@code nabla_batch_size{model}}: samples per execution;</li>
 *   <li>{@code nabla_queue_duration_seconds{model}}: from a request's arrival in the queue to its batch's start;
 *       {@code nabla_compute_duration_seconds{model}}: one execution; {@code nabla_request_duration_seconds{model}}:
 *       a successful infer request in the server, from its handler's start until the response is written;</li>
 *   <li>{@code nabla_queue_size{model}}: requests waiting;</li>
 *   <li>{@code nabla_model_version_loaded{model, version}}: 1 for each version in memory (during a swap, the old one
 *       until its last request finishes); {@code nabla_model_loads_total{model, outcome}}: loads that succeeded or
 *       failed.</li>
 * </ul>
 */
public final class ServerMetrics implements RepositoryListener {
    /** Latency buckets from 50 µs to 10 s: batch-1 executions of small models take well under a millisecond. */
    private static final double[] SECONDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final double[] BATCH_SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Counter feedback;
    private final Counter inferences;
    private final Counter executions;
    private final Histogram batchSize;
    private final Histogram queueDuration;
    private final Histogram computeDuration;
    private final Histogram requestDuration;
    private final Gauge queueSize;
    private final Gauge versionLoaded;
    private final Counter loads;

    public ServerMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        requests = Counter.builder().name("nabla_inference_requests_total")
                .help("Infer requests by model and outcome").labelNames("model", "outcome").register(registry);
        feedback = Counter.builder().name("nabla_feedback_requests_total")
                .help("Feedback requests by outcome").labelNames("outcome").register(registry);
        inferences = Counter.builder().name("nabla_inferences_total")
                .help("Samples inferred (padding not counted)").labelNames("model", "version").register(registry);
        executions = Counter.builder().name("nabla_executions_total")
                .help("Model executions (batches run)").labelNames("model", "version").register(registry);
        batchSize = Histogram.builder().name("nabla_batch_size").help("Samples per model execution")
                .classicOnly().classicUpperBounds(BATCH_SIZES).labelNames("model").register(registry);
        queueDuration = seconds("nabla_queue_duration_seconds",
                "Time from a request's arrival in the queue to the start of its batch");
        computeDuration = seconds("nabla_compute_duration_seconds", "Time of one model execution");
        requestDuration = seconds("nabla_request_duration_seconds",
                "Time of a successful infer request in the server, from its handler's start to the written response");
        queueSize = Gauge.builder().name("nabla_queue_size").help("Requests waiting in the model's queue")
                .labelNames("model").register(registry);
        versionLoaded = Gauge.builder().name("nabla_model_version_loaded")
                .help("1 for each model version in memory").labelNames("model", "version").register(registry);
        loads = Counter.builder().name("nabla_model_loads_total")
                .help("Model version loads by outcome (success, failure)").labelNames("model", "outcome")
                .register(registry);
    }

    private Histogram seconds(String name, String help) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(SECONDS)
                .labelNames("model").register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The Prometheus text format's content type. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every metric of the registry in the Prometheus text format. */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** Counts an infer request; {@code model} is the repository's name, or empty for a model it does not have. */
    public void request(String model, RequestOutcome outcome) {
        requests.labelValues(model, outcome.label()).inc();
    }

    /** Times a successful infer request. */
    public void requestDuration(String model, long nanos) {
        requestDuration.labelValues(model).observe(nanos / 1e9);
    }

    public void feedback(RequestOutcome outcome) {
        feedback.labelValues(outcome.label()).inc();
    }

    @Override
    public void loaded(String model, long version) {
        loads.labelValues(model, "success").inc();
        versionLoaded.labelValues(model, Long.toString(version)).set(1);
    }

    @Override
    public void loadFailed(String model, long version) {
        loads.labelValues(model, "failure").inc();
    }

    @Override
    public void unloaded(String model, long version) {
        versionLoaded.remove(model, Long.toString(version));
    }

    @Override
    public DynamicBatcher.Observer batchObserver(String model, long version) {
        String v = Long.toString(version);
        var inferred = inferences.labelValues(model, v);
        var executed = executions.labelValues(model, v);
        var sizes = batchSize.labelValues(model);
        var queued = queueDuration.labelValues(model);
        var computed = computeDuration.labelValues(model);
        var waiting = queueSize.labelValues(model);
        return new DynamicBatcher.Observer() {
            @Override
            public void enqueued() {
                waiting.inc();
            }

            @Override
            public void started(long waitedNanos) {
                waiting.dec();
                queued.observe(waitedNanos / 1e9);
            }

            @Override
            public void executed(int samples, long nanos) {
                inferred.inc(samples);
                executed.inc();
                sizes.observe(samples);
                computed.observe(nanos / 1e9);
            }
        };
    }
}
