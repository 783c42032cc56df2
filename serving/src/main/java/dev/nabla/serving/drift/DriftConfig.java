package dev.nabla.serving.drift;

/**
 * How drift is tested.
 *
 * @param window    the newest captured samples tested against the reference
 * @param minWindow fewer captured samples than this are not tested (the tests would have little power, and the
 *                  chi-squared approximation needs expected counts of about 5 per class)
 * @param alpha     the significance level of each test: the input test alarms when its Benjamini-Hochberg adjusted
 *                  p-value is at most alpha, the class test when its p-value is. With both tests, a window from the
 *                  training distribution raises some alarm with probability at most about 2 alpha.
 */
public record DriftConfig(int window, int minWindow, double alpha) {
    /** 500 samples, tested from 100 on, alpha 0.01 (see docs/serving.md for the measurements behind them). */
    public static final DriftConfig DEFAULT = new DriftConfig(500, 100, 0.01);

    public DriftConfig {
        if (minWindow < 2 || window < minWindow) { // a two-sample test needs two samples on each side
            throw new IllegalArgumentException("drift: expected 2 <= minimum window <= window, found minimum "
                    + minWindow + " and window " + window);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("drift: alpha must be between 0 and 1, found " + alpha);
        }
    }

    public DriftConfig withWindow(int samples) {
        return new DriftConfig(samples, Math.max(2, Math.min(minWindow, samples)), alpha);
    }

    public DriftConfig withAlpha(double a) {
        return new DriftConfig(window, minWindow, a);
    }
}
