package dev.nabla.serving.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The drift tests of one window of a model's served samples.
 *
 * @param version       the model version whose samples were tested, or null for all versions
 * @param windowSize    samples tested
 * @param referenceSize samples in the reference
 * @param oldestMillis  capture time of the oldest sample in the window (0 when it is empty)
 * @param newestMillis  capture time of the newest
 * @param features      the input test, or null when the window is too small
 * @param classes       the predicted-class test, or null when too few samples have a predicted class
 * @param notes         why a test is missing, or what to keep in mind about its result
 * @param computeMillis how long the tests took
 */
public record DriftReport(String model, String version, int windowSize, int referenceSize, double alpha,
                          long oldestMillis, long newestMillis, FeatureDriftResult features, ClassDriftResult classes,
                          List<String> notes, double computeMillis) {
    /** Whether either test alarms. */
    public boolean alarm() {
        return (features != null && features.alarm()) || (classes != null && classes.alarm());
    }

    /** The report as JSON-ready maps and lists (for {@code nabla drift --json}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("version", version);
        m.put("alarm", alarm());
        m.put("alpha", alpha);
        m.put("window_samples", windowSize);
        m.put("reference_samples", referenceSize);
        m.put("oldest", windowSize == 0 ? null : Instant.ofEpochMilli(oldestMillis).toString());
        m.put("newest", windowSize == 0 ? null : Instant.ofEpochMilli(newestMillis).toString());
        if (features != null) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("test", "kolmogorov-smirnov per feature, benjamini-hochberg");
            f.put("features_tested", features.featuresTested());
            f.put("features_skipped", features.featuresSkipped());
            f.put("features_rejected", features.featuresRejected());
            f.put("min_p_value", features.minPValue());
            f.put("adjusted_p_value", features.adjustedPValue());
            f.put("max_statistic", features.maxStatistic());
            f.put("max_statistic_feature", features.maxStatisticFeature());
            f.put("alarm", features.alarm());
            m.put("inputs", f);
        }
        if (classes != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("test", "chi-squared goodness of fit");
            c.put("statistic", classes.statistic());
            c.put("degrees_of_freedom", classes.degreesOfFreedom());
            c.put("p_value", classes.pValue());
            c.put("min_expected", classes.minExpected());
            c.put("unpredicted", classes.unpredicted());
            List<Object> observed = new ArrayList<>();
            List<Object> expected = new ArrayList<>();
            for (int k = 0; k < classes.observed().length; k++) {
                observed.add(classes.observed()[k]);
                expected.add(classes.expected()[k]);
            }
            c.put("observed", observed);
            c.put("expected", expected);
            c.put("alarm", classes.alarm());
            m.put("predicted_classes", c);
        }
        m.put("notes", new ArrayList<Object>(notes));
        m.put("compute_ms", computeMillis);
        return m;
    }

    /** The report as a table for a terminal. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Drift of model '%s'%s: %d served samples against %d reference samples, "
                + "alpha %s%n", model, version == null ? "" : " version " + version, windowSize, referenceSize, alpha));
        if (windowSize > 0) {
            sb.append("window: ").append(Instant.ofEpochMilli(oldestMillis)).append(" to ")
                    .append(Instant.ofEpochMilli(newestMillis)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%n%-18s %-40s %12s %12s  %s%n", "test", "result", "statistic", "p-value",
                "alarm"));
        if (features != null) {
            sb.append(String.format(Locale.ROOT, "%-18s %-40s %12.4f %12s  %s%n", "inputs (KS)",
                    features.featuresRejected() + " of " + features.featuresTested() + " features differ ("
                            + features.featuresSkipped() + " constant)", features.maxStatistic(),
                    p(features.adjustedPValue()), features.alarm() ? "ALARM" : "no"));
        } else {
            sb.append(String.format(Locale.ROOT, "%-18s %-40s %12s %12s  %s%n", "inputs (KS)", "not tested", "-", "-",
                    "-"));
        }
        if (classes != null) {
            sb.append(String.format(Locale.ROOT, "%-18s %-40s %12.2f %12s  %s%n", "classes (chi2)",
                    classes.degreesOfFreedom() + " degrees of freedom", classes.statistic(), p(classes.pValue()),
                    classes.alarm() ? "ALARM" : "no"));
            sb.append(String.format(Locale.ROOT, "%n%-8s %10s %10s%n", "class", "observed", "expected"));
            for (int k = 0; k < classes.observed().length; k++) {
                sb.append(String.format(Locale.ROOT, "%-8d %10d %10.1f%n", k, classes.observed()[k],
                        classes.expected()[k]));
            }
        } else {
            sb.append(String.format(Locale.ROOT, "%-18s %-40s %12s %12s  %s%n", "classes (chi2)", "not tested", "-",
                    "-", "-"));
        }
        if (features != null) {
            sb.append(String.format(Locale.ROOT, "%nThe input p-value is the smallest Benjamini-Hochberg adjusted one "
                    + "(raw minimum %s); feature %d (row-major) differs most.%n", p(features.minPValue()),
                    features.maxStatisticFeature()));
        }
        for (String note : notes) {
            sb.append("Note: ").append(note).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "Drift: %s%n", alarm() ? "ALARM" : "none detected"));
        return sb.toString();
    }

    /** A p-value to read: below 1e-15 the asymptotic distributions have no digits left to show. */
    private static String p(double value) {
        return value < 1e-15 ? "<1e-15" : String.format(Locale.ROOT, "%.3g", value);
    }
}
