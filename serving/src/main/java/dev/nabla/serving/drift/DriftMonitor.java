package dev.nabla.serving.drift;

import dev.nabla.NablaException;
import dev.nabla.serving.capture.CaptureReader;
import dev.nabla.serving.capture.CapturedSample;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Metric;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Drift of the served models, tested on their newest captured samples and exposed as Prometheus gauges. Reports are
 * computed when a scrape (or {@link #reports()}) finds them older than {@code maxAge}, so an idle server spends
 * nothing on them and a scrape costs one round of tests at most (about 20 to 60 ms per model for 784 features, see
 * docs/serving.md).
 *
 * <p>Metrics, per model: {@code nabla_drift_window_samples}, {@code nabla_drift_ks_features_tested},
 * {@code nabla_drift_ks_rejected_features}, {@code nabla_drift_ks_min_p_value} (raw),
 * {@code nabla_drift_ks_adjusted_p_value} (Benjamini-Hochberg; compare with alpha),
 * {@code nabla_drift_ks_max_statistic}, {@code nabla_drift_chi2_statistic}, {@code nabla_drift_chi2_p_value},
 * {@code nabla_drift_alarm{test="ks"|"chi2"|"any"}} (1 or 0) and {@code nabla_drift_computed_timestamp_seconds};
 * and {@code nabla_drift_alpha} and {@code nabla_drift_failures_total} (reports that could not be computed; logged).
 */
public final class DriftMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);

    /**
     * A model to watch: its name, the version whose samples to test (null: every version's) and that version's
     * reference. Hand in the same reference object for as long as the version is served: the monitor keeps the
     * detector built from it (its per-feature columns) while the object is the same.
     */
    public record Target(String model, String version, ReferenceSample reference) {
        public Target {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(reference, "reference");
        }
    }

    private final CaptureReader reader;
    private final Supplier<? extends Collection<Target>> targets;
    private final DriftConfig config;
    private final long maxAgeNanos;
    /** Detectors by model, kept while the model's target (version and reference) stays the same. */
    private final Map<String, Map.Entry<Target, DriftDetector>> detectors = new HashMap<>();
    private final Map<String, String> lastFailure = new HashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private Map<String, DriftReport> reports = Map.of();
    private Map<String, Long> computedAtMillis = Map.of();
    private long computedAtNanos;
    private boolean computed;
    private PrometheusRegistry registry;
    private List<Metric> metrics = List.of();

    /**
     * @param reader  the capture store to read windows from
     * @param targets the models to watch, asked again at every computation (models come and go)
     * @param maxAge  how long reports are reused before they are computed again
     */
    public DriftMonitor(CaptureReader reader, Supplier<? extends Collection<Target>> targets, DriftConfig config,
                        Duration maxAge) {
        this.reader = reader;
        this.targets = targets;
        this.config = config;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** The reports by model, computed again when older than the maximum age. */
    public synchronized Map<String, DriftReport> reports() {
        if (!computed || System.nanoTime() - computedAtNanos >= maxAgeNanos) {
            refresh();
        }
        return reports;
    }

    /**
     * Computes every target's report now. A model whose report fails (a reference that does not fit its inputs,
     * an unreadable store) has none; the failure is logged once per distinct message and counted.
     */
    public synchronized Map<String, DriftReport> refresh() {
        Map<String, DriftReport> fresh = new LinkedHashMap<>();
        Map<String, Long> times = new HashMap<>();
        Map<String, Map.Entry<Target, DriftDetector>> used = new HashMap<>();
        for (Target target : targets.get()) {
            try {
                DriftDetector detector = detector(target);
                used.put(target.model(), Map.entry(target, detector));
                List<CapturedSample> window = reader.recent(target.model(), target.version(), config.window());
                fresh.put(target.model(), detector.test(target.model(), target.version(), window));
                times.put(target.model(), System.currentTimeMillis());
                lastFailure.remove(target.model());
            } catch (NablaException e) {
                failures.incrementAndGet();
                if (!e.getMessage().equals(lastFailure.put(target.model(), e.getMessage()))) {
                    LOG.warn("drift of model '{}' not computed: {}", target.model(), e.getMessage());
                }
            }
        }
        detectors.keySet().retainAll(used.keySet());
        detectors.putAll(used);
        reports = Map.copyOf(fresh);
        computedAtMillis = Map.copyOf(times);
        computedAtNanos = System.nanoTime();
        computed = true;
        return reports;
    }

    private DriftDetector detector(Target target) {
        Map.Entry<Target, DriftDetector> known = detectors.get(target.model());
        if (known != null && Objects.equals(known.getKey().version(), target.version())
                && known.getKey().reference() == target.reference()) {
            return known.getValue();
        }
        return new DriftDetector(target.reference(), config);
    }

    /** Registers the gauges in {@code registry} (once); {@link #close} removes them. */
    public synchronized DriftMonitor register(PrometheusRegistry into) {
        if (registry != null) {
            throw new IllegalStateException("drift metrics are already registered");
        }
        List<Metric> list = List.of(
                gauge("nabla_drift_window_samples", "Captured samples in the window tested for drift.",
                        r -> r.windowSize()),
                featureGauge("nabla_drift_ks_features_tested", "Input features tested (not constant).",
                        f -> f.featuresTested()),
                featureGauge("nabla_drift_ks_rejected_features",
                        "Input features whose distribution differs from the reference (Benjamini-Hochberg).",
                        f -> f.featuresRejected()),
                featureGauge("nabla_drift_ks_min_p_value", "Smallest per-feature KS p-value, uncorrected.",
                        f -> f.minPValue()),
                featureGauge("nabla_drift_ks_adjusted_p_value",
                        "Smallest Benjamini-Hochberg adjusted KS p-value; drift when at most nabla_drift_alpha.",
                        f -> f.adjustedPValue()),
                featureGauge("nabla_drift_ks_max_statistic", "Largest per-feature KS statistic.",
                        f -> f.maxStatistic()),
                classGauge("nabla_drift_chi2_statistic", "Chi-squared statistic of the predicted-class counts.",
                        c -> c.statistic()),
                classGauge("nabla_drift_chi2_p_value", "Chi-squared p-value of the predicted-class counts.",
                        c -> c.pValue()),
                GaugeWithCallback.builder().name("nabla_drift_alarm")
                        .help("1 when a drift test alarms at nabla_drift_alpha, else 0.").labelNames("model", "test")
                        .callback(cb -> reports().forEach((model, r) -> {
                            if (r.features() != null) {
                                cb.call(r.features().alarm() ? 1 : 0, model, "ks");
                            }
                            if (r.classes() != null) {
                                cb.call(r.classes().alarm() ? 1 : 0, model, "chi2");
                            }
                            cb.call(r.alarm() ? 1 : 0, model, "any");
                        })).build(),
                GaugeWithCallback.builder().name("nabla_drift_computed_timestamp_seconds")
                        .help("When the drift report was computed.").labelNames("model")
                        .callback(cb -> {
                            reports();
                            computedAtMillis.forEach((model, millis) -> cb.call(millis / 1000.0, model));
                        }).build(),
                GaugeWithCallback.builder().name("nabla_drift_alpha")
                        .help("Significance level of the drift tests.")
                        .callback(cb -> cb.call(config.alpha())).build(),
                CounterWithCallback.builder().name("nabla_drift_failures_total")
                        .help("Drift reports that could not be computed (see the log).")
                        .callback(cb -> cb.call(failures.get())).build());
        list.forEach(into::register);
        registry = into;
        metrics = list;
        return this;
    }

    private Metric gauge(String name, String help, ToDoubleFunction<DriftReport> value) {
        return perModel(name, help, (r, cb) -> cb.call(value.applyAsDouble(r), r.model()));
    }

    private Metric featureGauge(String name, String help, ToDoubleFunction<FeatureDriftResult> value) {
        return perModel(name, help, (r, cb) -> {
            if (r.features() != null) {
                cb.call(value.applyAsDouble(r.features()), r.model());
            }
        });
    }

    private Metric classGauge(String name, String help, ToDoubleFunction<ClassDriftResult> value) {
        return perModel(name, help, (r, cb) -> {
            if (r.classes() != null) {
                cb.call(value.applyAsDouble(r.classes()), r.model());
            }
        });
    }

    private Metric perModel(String name, String help, BiConsumer<DriftReport, GaugeWithCallback.Callback> emit) {
        return GaugeWithCallback.builder().name(name).help(help).labelNames("model")
                .callback(cb -> reports().values().forEach(r -> emit.accept(r, cb))).build();
    }

    /** Removes the gauges from the registry; the capture reader stays open (it is the caller's). */
    @Override
    public synchronized void close() {
        if (registry != null) {
            metrics.forEach(registry::unregister);
            registry = null;
            metrics = List.of();
        }
    }
}
