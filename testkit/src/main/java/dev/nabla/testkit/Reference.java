package dev.nabla.testkit;

import java.util.function.DoubleBinaryOperator;

/** Independent double-precision reference implementations used as expected values by the suites. */
final class Reference {
    private Reference() {
    }

    /** erf to about 1e-15 relative: Taylor series below 2.5, continued fraction for erfc above. */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double sum = 0;
            double term = ax; // x^(2n+1) (-1)^n / n!
            for (int n = 0; n < 200; n++) {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
                term = -term * ax * ax / (n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int k = 80; k >= 1; k--) {
                f = k / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    static double softplus(double x) {
        return x > 20 ? x : Math.log1p(Math.exp(x));
    }

    /** Shape two shapes broadcast to (NumPy rules); throws if they do not. */
    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("not broadcastable");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Row-major element of {@code values} (of {@code shape}) at the broadcast index {@code index} of {@code out}. */
    static double at(double[] values, int[] shape, int[] outShape, int flat) {
        int offset = 0;
        int stride = 1;
        for (int d = outShape.length - 1, s = shape.length - 1; d >= 0; d--, s--) {
            int i = flat % outShape[d];
            flat /= outShape[d];
            if (s >= 0) {
                if (shape[s] != 1) {
                    offset += i * stride;
                }
                stride *= shape[s];
            }
        }
        return values[offset];
    }

    /** {@code f} applied elementwise to broadcast operands, row-major over the broadcast shape. */
    static double[] broadcast(double[] a, int[] as, double[] b, int[] bs, DoubleBinaryOperator f) {
        int[] out = broadcastShape(as, bs);
        double[] r = new double[numel(out)];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(at(a, as, out, i), at(b, bs, out, i));
        }
        return r;
    }

    /** Reduces row-major {@code x} of {@code shape} over {@code dims} (any order, non-negative) with {@code f} from {@code init}. */
    static double[] reduce(double[] x, int[] shape, int[] dims, double init, DoubleBinaryOperator f) {
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) {
            reduced[d] = true;
        }
        int outN = 1;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                outN *= shape[d];
            }
        }
        double[] out = new double[outN];
        java.util.Arrays.fill(out, init);
        for (int flat = 0; flat < x.length; flat++) {
            int rest = flat;
            int o = 0;
            int stride = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                int i = rest % shape[d];
                rest /= shape[d];
                if (!reduced[d]) {
                    o += i * stride;
                    stride *= shape[d];
                }
            }
            out[o] = f.applyAsDouble(out[o], x[flat]);
        }
        return out;
    }
}
