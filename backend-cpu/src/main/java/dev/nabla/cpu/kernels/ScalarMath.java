package dev.nabla.cpu.kernels;

/**
 * Scalar reference functions shared by the kernels: the definitions every SIMD kernel is tested against.
 */
public final class ScalarMath {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;

    private ScalarMath() {
    }

    /**
     * The error function to about 1e-15 relative error. Below 2.5 it sums the everywhere-positive series
     * {@code erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, which has no
     * cancellation; from 2.5 on it uses {@code 1 - erfc(x)} with erfc from its continued fraction
     * {@code exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))} evaluated backwards.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double x2 = ax * ax;
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 300; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) {
                    break;
                }
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        } else if (ax < 6) {
            double f = ax;
            for (int k = 60; k >= 1; k--) {
                f = ax + (0.5 * k) / f;
            }
            r = 1 - Math.exp(-ax * ax) * ONE_OVER_SQRT_PI / f;
        } else {
            r = 1;
        }
        return Math.copySign(r, x);
    }

    /** Logistic function, without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    public static float sigmoid(float x) {
        return (float) sigmoid((double) x);
    }

    public static float erf(float x) {
        return (float) erf((double) x);
    }
}
