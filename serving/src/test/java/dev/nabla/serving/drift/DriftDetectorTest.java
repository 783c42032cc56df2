package dev.nabla.serving.drift;

import dev.nabla.data.TensorDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift tests on Fashion-MNIST (the embedded sample): the reference is 2,000 of the first 3,000 training images with
 * their label counts; held-out windows come from the other 3,000 training images and from the test images. The
 * predicted classes are the labels (a classifier that is always right), so that the class test sees the data's
 * class distribution and nothing of a model's errors.
 */
class DriftDetectorTest {
    static final int WINDOW = 200;
    static TensorDataset train;
    static TensorDataset test;
    static DriftDetector detector;

    @BeforeAll
    static void reference() {
        train = FashionSample.train();
        test = FashionSample.test();
        ReferenceSample reference = ReferenceSample.fromDataset(train.head(3_000), 10, 2_000, 1);
        detector = new DriftDetector(reference, new DriftConfig(WINDOW, 100, 0.01));
    }

    private static DriftReport test(List<float[]> images, int[] predicted) {
        return detector.test("fashion", "1", images, predicted, 0, 0);
    }

    @Test
    void heldOutImagesFromTheTrainingDistributionRaiseNoAlarm() {
        List<String> windows = new ArrayList<>();
        List<DriftReport> reports = new ArrayList<>();
        for (int from = 3_000; from + WINDOW <= 6_000; from += WINDOW) {
            reports.add(test(FashionSample.images(train, from, from + WINDOW),
                    FashionSample.labels(train, from, from + WINDOW)));
            windows.add("train " + from);
        }
        for (int from = 0; from + WINDOW <= 1_000; from += WINDOW) {
            reports.add(test(FashionSample.images(test, from, from + WINDOW),
                    FashionSample.labels(test, from, from + WINDOW)));
            windows.add("test " + from);
        }
        assertEquals(20, reports.size());
        int ksAlarms = 0;
        int chiAlarms = 0;
        double minKs = 1;
        double minChi = 1;
        for (DriftReport r : reports) {
            ksAlarms += r.features().alarm() ? 1 : 0;
            chiAlarms += r.classes().alarm() ? 1 : 0;
            minKs = Math.min(minKs, r.features().adjustedPValue());
            minChi = Math.min(minChi, r.classes().pValue());
            assertTrue(r.features().featuresTested() >= 780, r.features().toString());
        }
        System.out.printf(Locale.ROOT, "held-out windows of %d: %d KS and %d chi-squared alarms in %d; smallest "
                + "adjusted KS p %.3g, smallest chi-squared p %.3g%n", WINDOW, ksAlarms, chiAlarms, reports.size(), minKs,
                minChi);
        // At alpha 0.01 about 0.2 false alarms per test are expected in 20 windows (fewer for KS, whose p-values are
        // conservative on tied pixel values); this data gives none, with margin.
        assertTrue(ksAlarms <= 1 && chiAlarms <= 1, ksAlarms + " KS and " + chiAlarms + " chi-squared alarms");
        assertTrue(minKs > 0.02 && minChi > 0.1, "smallest p-values " + minKs + ", " + minChi);
    }

    @Test
    void driftedInputsRaiseTheInputAlarm() {
        List<float[]> images = FashionSample.images(test, 0, WINDOW);
        int[] labels = FashionSample.labels(test, 0, WINDOW);
        Map<String, UnaryOperator<float[]>> drifts = Map.of("contrast x0.8", Drifts.contrast(0.8f),
                "inversion 1-x", Drifts.inversion(), "shift 2 px", Drifts.shift(2));
        for (var drift : drifts.entrySet()) {
            DriftReport r = test(Drifts.apply(images, drift.getValue()), labels);
            System.out.printf(Locale.ROOT, "%s: adjusted KS p %.3g, %d of %d features differ%n", drift.getKey(),
                    r.features().adjustedPValue(), r.features().featuresRejected(), r.features().featuresTested());
            assertTrue(r.features().alarm() && r.features().adjustedPValue() < 1e-4, drift.getKey() + ": " + r);
            assertTrue(r.features().featuresRejected() >= 100, drift.getKey() + ": " + r.features());
            assertFalse(r.classes().alarm(), drift.getKey() + ": the predicted classes did not change");
            assertTrue(r.alarm());
        }
        DriftReport same = test(images, labels);
        assertFalse(same.alarm(), same.toString());
    }

    @Test
    void aSkewedPredictedClassDistributionRaisesTheClassAlarm() {
        List<float[]> images = FashionSample.images(test, 0, WINDOW);
        int[] predicted = FashionSample.labels(test, 0, WINDOW);
        for (int i = 0; i < predicted.length; i += 4) {
            predicted[i] = 0; // a quarter of everything is now "T-shirt/top"
        }
        DriftReport r = test(images, predicted);
        System.out.printf(Locale.ROOT, "a quarter predicted as class 0: chi-squared %.1f, p %.3g%n",
                r.classes().statistic(), r.classes().pValue());
        assertTrue(r.classes().alarm() && r.classes().pValue() < 1e-6, r.classes().toString());
        assertFalse(r.features().alarm(), "the inputs did not change");
        assertEquals(9, r.classes().degreesOfFreedom());
        assertEquals(WINDOW, Arrays.stream(r.classes().observed()).sum());
        assertEquals(WINDOW, Arrays.stream(r.classes().expected()).sum(), 1e-9);
    }

    @Test
    void timeOfOneReport() {
        List<float[]> images = FashionSample.images(test, 0, 500);
        int[] labels = FashionSample.labels(test, 0, 500);
        DriftDetector large = new DriftDetector(detector.reference(), DriftConfig.DEFAULT);
        double[] millis = new double[7];
        for (int i = 0; i < millis.length; i++) {
            DriftReport r = large.test("fashion", "1", images, labels, 0, 0);
            assertEquals(500, r.windowSize());
            assertEquals(784, r.features().featuresTested() + r.features().featuresSkipped());
            millis[i] = r.computeMillis();
        }
        Arrays.sort(millis);
        // reported, not asserted: a unit test on a shared machine must not fail on a slow run
        System.out.printf(Locale.ROOT, "784 features, reference 2,000, window 500: median %.1f ms, slowest %.1f ms "
                + "of %d runs%n", millis[millis.length / 2], millis[millis.length - 1], millis.length);
    }

    @Test
    void featuresConstantInBothSamplesAreSkippedAndAConstantShiftIsDrift() {
        // 3 features: 0 varies, 1 is 0 everywhere, 2 is 0 in the reference and 1 in the window
        float[] ref = new float[300 * 3];
        for (int i = 0; i < 300; i++) {
            ref[i * 3] = i % 17;
        }
        ReferenceSample reference = ReferenceSample.of(new int[]{3}, ref, new long[]{150, 150},
                ReferenceSample.ClassSource.LABELS, Map.of());
        DriftDetector d = new DriftDetector(reference, new DriftConfig(200, 50, 0.01));
        List<float[]> window = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            window.add(new float[]{(i * 7) % 17, 0, 1});
        }
        int[] predicted = new int[200];
        for (int i = 0; i < 200; i++) {
            predicted[i] = i % 2;
        }
        DriftReport r = d.test("m", null, window, predicted, 0, 0);
        assertEquals(2, r.features().featuresTested());
        assertEquals(1, r.features().featuresSkipped());
        assertEquals(1, r.features().featuresRejected());
        assertEquals(2, r.features().maxStatisticFeature());
        assertEquals(1.0, r.features().maxStatistic());
    }

    @Test
    void aClassTheReferenceNeverSawIsExpectedRarelyNotNever() {
        ReferenceSample reference = ReferenceSample.of(new int[]{1}, new float[]{0, 1, 2, 3}, new long[]{500, 500, 0},
                ReferenceSample.ClassSource.PREDICTIONS, Map.of());
        DriftDetector d = new DriftDetector(reference, new DriftConfig(200, 50, 0.01));
        List<float[]> window = new ArrayList<>();
        int[] predicted = new int[200];
        for (int i = 0; i < 200; i++) {
            window.add(new float[]{i % 4});
            predicted[i] = i % 2;
        }
        DriftReport balanced = d.test("m", null, window, predicted, 0, 0);
        assertTrue(balanced.classes().expected()[2] > 0);
        assertFalse(balanced.classes().alarm(), balanced.classes().toString());
        for (int i = 0; i < 200; i += 10) {
            predicted[i] = 2;
        }
        DriftReport novel = d.test("m", null, window, predicted, 0, 0);
        assertTrue(novel.classes().alarm(), novel.classes().toString());
        assertTrue(novel.notes().stream().anyMatch(n -> n.contains("smallest expected class count")), novel.notes()
                .toString());
    }

    @Test
    void smallWindowsAreNotTestedAndForeignInputsAreRefused() {
        DriftReport small = test(FashionSample.images(test, 0, 50), FashionSample.labels(test, 0, 50));
        assertNull(small.features());
        assertNull(small.classes());
        assertFalse(small.alarm());
        assertTrue(small.notes().get(0).contains("window of 50 samples; the tests start at 100"), small.notes().toString());

        int[] none = new int[150];
        Arrays.fill(none, -1);
        DriftReport unpredicted = test(FashionSample.images(test, 0, 150), none);
        assertNull(unpredicted.classes());
        assertTrue(unpredicted.features() != null);

        List<float[]> withNaN = new ArrayList<>(FashionSample.images(test, 0, 150));
        withNaN.get(3)[10] = Float.NaN;
        withNaN.get(4)[20] = Float.POSITIVE_INFINITY;
        DriftReport nan = test(withNaN, FashionSample.labels(test, 0, 150));
        assertFalse(nan.features().alarm());
        assertTrue(nan.notes().contains("2 samples with NaN or infinite inputs left out of the input test"),
                nan.notes().toString());
        assertEquals(150, nan.windowSize());

        List<float[]> wrongSize = List.of(new float[100], new float[100]);
        DriftDetector anyWindow = new DriftDetector(detector.reference(), new DriftConfig(10, 2, 0.01));
        DriftException e = assertThrows(DriftException.class,
                () -> anyWindow.test("fashion", "2", wrongSize, new int[]{0, 0}, 0, 0));
        assertTrue(e.getMessage().contains("captured inputs have 100 values per sample, the reference 784"),
                e.getMessage());
        DriftException c = assertThrows(DriftException.class,
                () -> anyWindow.test("fashion", "2", List.of(new float[784], new float[784]), new int[]{1, 12}, 0, 0));
        assertTrue(c.getMessage().contains("predicted class is 12, the reference has classes 0 to 9"), c.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DriftConfig(10, 1, 0.01));
        assertThrows(DriftException.class, () -> new DriftDetector(ReferenceSample.of(new int[]{2}, new float[2],
                new long[]{1, 1}, ReferenceSample.ClassSource.LABELS, Map.of()), DriftConfig.DEFAULT));
    }

    @Test
    void benjaminiHochbergRejectsTheStepUpSet() {
        // sorted: 0.001 0.008 0.039 0.041 0.042 0.06 0.074 0.205 0.212 0.216, m = 10, alpha 0.05:
        // k alpha / m = 0.005 0.01 0.015 ...: p(2) = 0.008 <= 0.01, nothing larger passes
        double[] p = {0.205, 0.001, 0.039, 0.041, 0.008, 0.042, 0.06, 0.074, 0.212, 0.216};
        MultipleTesting.Result r = MultipleTesting.benjaminiHochberg(p, 0.05);
        assertEquals(2, r.rejected());
        assertEquals(0.01, r.minAdjusted(), 1e-12); // min(0.001 * 10 / 1, 0.008 * 10 / 2, ...)
        assertEquals(0, MultipleTesting.benjaminiHochberg(p, 0.005).rejected());
        assertEquals(new MultipleTesting.Result(0, 1), MultipleTesting.benjaminiHochberg(new double[0], 0.05));
    }
}
