package dev.nabla.serving.drift;

import java.util.Arrays;

/** Corrections for testing many features at once. */
final class MultipleTesting {
    private MultipleTesting() {
    }

    /**
     * @param rejected    hypotheses rejected
     * @param minAdjusted the smallest adjusted p-value (1 when there are none): rejections exist exactly when it is at
     *                    most alpha
     */
    record Result(int rejected, double minAdjusted) {
    }

    /**
     * Benjamini-Hochberg at false discovery rate {@code alpha}: with the p-values sorted, p(1) <= ... <= p(m),
     * reject the k smallest for the largest k with p(k) <= k alpha / m. The adjusted p-value of p(i) is
     * min over j >= i of p(j) m / j; the smallest of them is min over k of p(k) m / k. Valid for independent and for
     * positively dependent tests (neighbouring pixels are positively correlated), and when no feature drifts it
     * alarms with probability at most alpha.
     */
    static Result benjaminiHochberg(double[] pValues, double alpha) {
        int m = pValues.length;
        if (m == 0) {
            return new Result(0, 1);
        }
        double[] p = pValues.clone();
        Arrays.sort(p);
        int rejected = 0;
        double minAdjusted = 1;
        for (int k = 1; k <= m; k++) {
            double scaled = p[k - 1] * m / k;
            minAdjusted = Math.min(minAdjusted, scaled);
            if (scaled <= alpha) { // p(k) <= k alpha / m
                rejected = k;
            }
        }
        return new Result(rejected, minAdjusted);
    }
}
