package dev.nabla.serving.drift;

/**
 * The chi-squared goodness-of-fit test of the window's predicted-class counts against the counts the reference's
 * class distribution expects.
 *
 * @param observed         predicted samples per class in the window
 * @param expected         the expected counts: the window's predicted samples spread by the reference's class
 *                         proportions, smoothed by half a count per class so that a class the reference never saw
 *                         still has a positive expectation
 * @param degreesOfFreedom classes minus one
 * @param minExpected      the smallest expected count (the chi-squared approximation wants about 5 or more)
 * @param unpredicted      samples in the window without a predicted class (outputs that are not class scores)
 */
public record ClassDriftResult(long[] observed, double[] expected, double statistic, int degreesOfFreedom,
                               double pValue, double minExpected, int unpredicted, boolean alarm) {
}
