package dev.nabla.serving.capture;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Metric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.List;
import java.util.Locale;

/**
 * The store's counts as Prometheus metrics, read from {@link CaptureStore#stats()} at every scrape:
 * <ul>
 *   <li>{@code nabla_capture_offered_total}, {@code nabla_capture_sampled_out_total}: requests handed to capture,
 *       and those the sampler left out;</li>
 *   <li>{@code nabla_capture_records_total}, {@code nabla_capture_samples_total}: requests and samples committed;</li>
 *   <li>{@code nabla_capture_dropped_total{reason}}: requests kept by the sampler but not captured
 *       (queue_full, too_large, malformed, duplicate, write_failed, closed);</li>
 *   <li>{@code nabla_capture_queue_records}: requests waiting for the writer;</li>
 *   <li>{@code nabla_capture_feedback_total{result}} (attached, not_captured, wrong_count) and
 *       {@code nabla_capture_feedback_labels_total}: feedback calls and the labels they committed.</li>
 * </ul>
 */
public final class CaptureMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final List<Metric> metrics;

    private CaptureMetrics(PrometheusRegistry registry, List<Metric> metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    /** Registers the metrics of {@code store} in {@code registry}; {@link #close} removes them. */
    public static CaptureMetrics register(CaptureStore store, PrometheusRegistry registry) {
        List<Metric> metrics = List.of(
                counter("nabla_capture_offered_total", "Requests handed to payload capture.",
                        cb -> cb.call(store.stats().offered())),
                counter("nabla_capture_sampled_out_total", "Requests that payload capture's sampling left out.",
                        cb -> cb.call(store.stats().sampledOut())),
                counter("nabla_capture_records_total", "Requests committed to the capture store.",
                        cb -> cb.call(store.stats().capturedRequests())),
                counter("nabla_capture_samples_total", "Samples (rows) committed to the capture store.",
                        cb -> cb.call(store.stats().capturedSamples())),
                CounterWithCallback.builder().name("nabla_capture_dropped_total")
                        .help("Requests kept by sampling but not captured, by reason.").labelNames("reason")
                        .callback(cb -> {
                            CaptureStats stats = store.stats();
                            for (DropReason reason : DropReason.values()) {
                                cb.call(stats.dropped(reason), reason.label());
                            }
                        }).build(),
                GaugeWithCallback.builder().name("nabla_capture_queue_records")
                        .help("Captured requests waiting to be written.")
                        .callback(cb -> cb.call(store.stats().queuedRecords())).build(),
                CounterWithCallback.builder().name("nabla_capture_feedback_total")
                        .help("Feedback calls, by result.").labelNames("result")
                        .callback(cb -> {
                            CaptureStats stats = store.stats();
                            for (PayloadSink.FeedbackResult result : PayloadSink.FeedbackResult.values()) {
                                cb.call(stats.feedback().getOrDefault(result, 0L),
                                        result.name().toLowerCase(Locale.ROOT));
                            }
                        }).build(),
                counter("nabla_capture_feedback_labels_total", "Ground-truth labels committed by feedback.",
                        cb -> cb.call(store.stats().labelsAttached())));
        metrics.forEach(registry::register);
        return new CaptureMetrics(registry, metrics);
    }

    private static Metric counter(String name, String help,
                                  java.util.function.Consumer<CounterWithCallback.Callback> callback) {
        return CounterWithCallback.builder().name(name).help(help).callback(callback).build();
    }

    @Override
    public void close() {
        metrics.forEach(registry::unregister);
    }
}
