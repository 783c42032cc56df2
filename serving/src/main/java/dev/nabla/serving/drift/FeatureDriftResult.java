package dev.nabla.serving.drift;

/**
 * The two-sample Kolmogorov-Smirnov test of every input feature (a pixel, for images), window against reference,
 * with the Benjamini-Hochberg correction across the features tested.
 *
 * @param featuresTested      features tested: all but those with one and the same value in both samples
 * @param featuresSkipped     features constant in both samples (nothing to test)
 * @param featuresRejected    features whose distribution differs at false discovery rate alpha
 * @param minPValue           the smallest p-value of one feature, before correction
 * @param adjustedPValue      the smallest Benjamini-Hochberg adjusted p-value: the alarm is {@code adjustedPValue <=
 *                            alpha}, and {@code featuresRejected > 0} exactly then
 * @param maxStatistic        the largest KS statistic (the largest gap between the two distribution functions)
 * @param maxStatisticFeature the feature with that statistic (row-major index into the sample shape), -1 if none
 */
public record FeatureDriftResult(int featuresTested, int featuresSkipped, int featuresRejected, double minPValue,
                                 double adjustedPValue, double maxStatistic, int maxStatisticFeature, boolean alarm) {
}
