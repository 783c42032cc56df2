package dev.nabla.serving.drift;

import dev.nabla.serving.capture.CapturedSample;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tests a window of served samples against a {@link ReferenceSample} (Apache Commons Math does the statistics):
 * <ul>
 *   <li>inputs: a two-sample Kolmogorov-Smirnov test per feature, features constant in both samples skipped, with
 *       the Benjamini-Hochberg correction across the features tested;</li>
 *   <li>predicted classes: a chi-squared goodness-of-fit test of their counts against the reference's class
 *       proportions.</li>
 * </ul>
 * Pixel values repeat (most of an image's background is exactly 0), and the KS p-value assumes continuous data;
 * with ties it is conservative: fewer false alarms, slightly less power. A detector is made once per reference and
 * may test any number of windows, from any number of threads.
 */
public final class DriftDetector {
    /**
     * Below this product of the two sample sizes Commons Math computes the exact KS distribution (and breaks ties by
     * jitter); above it, the asymptotic one. The same threshold as the library's, so results match its own test.
     */
    private static final long EXACT_KS_BELOW = 10_000;
    /** Half a count added to every reference class, so that no expected count is zero. */
    private static final double SMOOTHING = 0.5;

    private final ReferenceSample reference;
    private final DriftConfig config;
    private final double[][] referenceFeatures;
    private final double[] referenceMin;
    private final double[] referenceMax;

    /** @throws DriftException if the reference has fewer than 2 samples (the tests need 2 on each side) */
    public DriftDetector(ReferenceSample reference, DriftConfig config) {
        if (reference.size() < 2) {
            throw new DriftException("drift: a reference needs at least 2 samples, found " + reference.size());
        }
        this.reference = reference;
        this.config = config;
        int features = reference.features();
        this.referenceFeatures = new double[features][];
        this.referenceMin = new double[features];
        this.referenceMax = new double[features];
        for (int f = 0; f < features; f++) {
            double[] column = reference.feature(f);
            referenceFeatures[f] = column;
            referenceMin[f] = Arrays.stream(column).min().orElseThrow();
            referenceMax[f] = Arrays.stream(column).max().orElseThrow();
        }
    }

    public ReferenceSample reference() {
        return reference;
    }

    public DriftConfig config() {
        return config;
    }

    /**
     * Tests captured samples (newest first, as {@link dev.nabla.serving.capture.CaptureReader#recent} reads them;
     * at most {@link DriftConfig#window()} of them are used).
     *
     * @throws DriftException if their inputs do not have the reference's number of features, or a predicted class
     *                        is not one of the reference's classes
     */
    public DriftReport test(String model, String version, List<CapturedSample> window) {
        List<CapturedSample> used = window.size() > config.window() ? window.subList(0, config.window()) : window;
        List<float[]> inputs = new ArrayList<>(used.size());
        int[] predicted = new int[used.size()];
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        for (int i = 0; i < used.size(); i++) {
            CapturedSample s = used.get(i);
            inputs.add(s.input());
            predicted[i] = s.predictedClass();
            oldest = Math.min(oldest, s.capturedAtMillis());
            newest = Math.max(newest, s.capturedAtMillis());
        }
        return test(model, version, inputs, predicted, used.isEmpty() ? 0 : oldest, used.isEmpty() ? 0 : newest);
    }

    /**
     * Tests a window given as arrays: one input (the sample's values, row-major) and one predicted class (-1 for
     * none) per sample.
     */
    public DriftReport test(String model, String version, List<float[]> inputs, int[] predictedClasses,
                            long oldestMillis, long newestMillis) {
        if (inputs.size() != predictedClasses.length) {
            throw new IllegalArgumentException("drift: " + inputs.size() + " inputs but " + predictedClasses.length
                    + " predicted classes");
        }
        long start = System.nanoTime();
        List<String> notes = new ArrayList<>();
        FeatureDriftResult features = null;
        ClassDriftResult classes = null;
        if (inputs.size() < config.minWindow()) {
            notes.add("window of " + inputs.size() + " samples; the tests start at " + config.minWindow());
        } else {
            features = testFeatures(model, finite(inputs, notes));
            classes = testClasses(model, predictedClasses, notes);
        }
        double millis = (System.nanoTime() - start) / 1e6;
        return new DriftReport(model, version, inputs.size(), reference.size(), config.alpha(), oldestMillis,
                newestMillis, features, classes, List.copyOf(notes), millis);
    }

    /** The inputs without NaN or infinite values, which have no place in a distribution function. */
    private List<float[]> finite(List<float[]> inputs, List<String> notes) {
        List<float[]> kept = new ArrayList<>(inputs.size());
        for (float[] x : inputs) {
            boolean finite = true;
            for (float v : x) {
                if (!Float.isFinite(v)) {
                    finite = false;
                    break;
                }
            }
            if (finite) {
                kept.add(x);
            }
        }
        if (kept.size() < inputs.size()) {
            notes.add((inputs.size() - kept.size()) + " samples with NaN or infinite inputs left out of the input test");
        }
        return kept;
    }

    private FeatureDriftResult testFeatures(String model, List<float[]> inputs) {
        if (inputs.size() < config.minWindow()) {
            return null;
        }
        int features = reference.features();
        for (float[] x : inputs) {
            if (x.length != features) {
                throw new DriftException("model '" + model + "': captured inputs have " + x.length
                        + " values per sample, the reference " + features + " (shape "
                        + Arrays.toString(reference.sampleShape()) + "); is the reference for this model version?");
            }
        }
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest(); // not thread-safe (its tie-breaking generator)
        int n = reference.size();
        int m = inputs.size();
        double[] column = new double[m];
        double[] pValues = new double[features];
        int tested = 0;
        double maxStatistic = 0;
        int maxFeature = -1;
        for (int f = 0; f < features; f++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                double v = inputs.get(i)[f];
                column[i] = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (min == max && referenceMin[f] == referenceMax[f] && min == referenceMin[f]) {
                continue; // one value everywhere: no distribution to compare
            }
            double d = ks.kolmogorovSmirnovStatistic(referenceFeatures[f], column);
            double p = (long) n * m >= EXACT_KS_BELOW ? ks.approximateP(d, n, m)
                    : ks.kolmogorovSmirnovTest(referenceFeatures[f], column);
            pValues[tested++] = Math.min(1, Math.max(0, p));
            if (d > maxStatistic) {
                maxStatistic = d;
                maxFeature = f;
            }
        }
        double[] p = Arrays.copyOf(pValues, tested);
        MultipleTesting.Result bh = MultipleTesting.benjaminiHochberg(p, config.alpha());
        double minP = tested == 0 ? 1 : Arrays.stream(p).min().orElse(1);
        return new FeatureDriftResult(tested, features - tested, bh.rejected(), minP, bh.minAdjusted(), maxStatistic,
                maxFeature, bh.rejected() > 0);
    }

    private ClassDriftResult testClasses(String model, int[] predictedClasses, List<String> notes) {
        int k = reference.classes();
        long[] observed = new long[k];
        int unpredicted = 0;
        for (int c : predictedClasses) {
            if (c < 0) {
                unpredicted++;
            } else if (c >= k) {
                throw new DriftException("model '" + model + "': a captured sample's predicted class is " + c
                        + ", the reference has classes 0 to " + (k - 1) + "; is the reference for this model version?");
            } else {
                observed[c]++;
            }
        }
        long total = Arrays.stream(observed).sum();
        if (total < config.minWindow()) {
            notes.add(total + " samples with a predicted class; the class test starts at " + config.minWindow());
            return null;
        }
        long[] counts = reference.classCounts();
        double referenceTotal = Arrays.stream(counts).sum() + SMOOTHING * k;
        double[] expected = new double[k];
        double minExpected = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            expected[c] = total * (counts[c] + SMOOTHING) / referenceTotal;
            minExpected = Math.min(minExpected, expected[c]);
        }
        if (minExpected < 5) {
            notes.add(String.format(java.util.Locale.ROOT, "smallest expected class count %.1f; the chi-squared "
                    + "p-value is approximate below 5", minExpected));
        }
        ChiSquareTest chi = new ChiSquareTest();
        double statistic = chi.chiSquare(expected, observed);
        double p = chi.chiSquareTest(expected, observed);
        return new ClassDriftResult(observed, expected, statistic, k - 1, p, minExpected, unpredicted,
                p <= config.alpha());
    }
}
