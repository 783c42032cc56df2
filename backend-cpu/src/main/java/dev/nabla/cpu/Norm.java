package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.Operand;

import static dev.nabla.cpu.Elementwise.buf;

/**
 * FLOAT32 batch normalization on x seen as [N, C, S] (S = 1 for a [N, C] input): the statistics in one pass, the
 * output in one, the gradients in two. A channel's values are N runs of S contiguous elements; with S > 1 each run
 * goes through the kernel set (its mean and squared deviations while it is in cache, merged across runs by Chan's
 * formula), with S = 1 the channels of a row are adjacent and are handled row by row in double. Statistics and sums
 * run in parallel over channels, the elementwise passes over runs or rows; a channel's result never depends on the
 * thread count.
 */
final class Norm {
    private static final int CHANNEL_GRAIN_ROWS = 64;

    private final FloatKernels k;

    Norm(FloatKernels kernels) {
        this.k = kernels;
    }

    /** x's [N, C, S] view, or null when some operand is not a contiguous FLOAT32 operand. */
    private static int[] view(Operand x, Operand... others) {
        for (Operand o : others) {
            if (o != null && (o.dtype() != DType.FLOAT32 || !o.layout().isContiguous())) {
                return null;
            }
        }
        int[] s = x.shape();
        if (x.dtype() != DType.FLOAT32 || !x.layout().isContiguous() || s.length < 2 || x.numel() == 0) {
            return null;
        }
        return new int[]{s[0], s[1], x.numel() / (s[0] * s[1])};
    }

    private static int minParallel(Operand x) {
        return x.numel() >= Parallel.MIN_PARALLEL_ELEMENTS ? 0 : Integer.MAX_VALUE;
    }

    boolean stats(Operand x, Operand out) {
        int[] v = view(x, out);
        if (v == null) {
            return false;
        }
        int n = v[0], c = v[1], s = v[2];
        float[] xa = buf(x).floats();
        float[] oa = buf(out).floats();
        int xo = x.layout().offset(), oo = out.layout().offset();
        if (s == 1) {
            Parallel.forChunks(c, CHANNEL_GRAIN_ROWS, minParallel(x), (lo, hi) -> statsRows(xa, xo, n, c, lo, hi, oa, oo));
            return true;
        }
        Parallel.forChunks(c, 1, minParallel(x), (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double mean = 0, m2 = 0;
                long count = 0;
                for (int i = 0; i < n; i++) {
                    int base = xo + (i * c + ch) * s;
                    double runMean = k.sum(xa, base, s) / s;
                    float center = (float) runMean;
                    // squared deviations from the rounded center, moved to the run's exact mean
                    double runM2 = k.sumSquaredDeviations(xa, base, s, center) - s * sq(runMean - center);
                    long total = count + s;
                    double delta = runMean - mean;
                    mean += delta * s / total;
                    m2 += runM2 + delta * delta * ((double) count * s / total);
                    count = total;
                }
                oa[oo + ch] = (float) mean;
                oa[oo + c + ch] = (float) Math.max(0, m2 / count);
            }
        });
        return true;
    }

    /** Two passes in double over rows of a [N, C] input, for channels {@code lo..hi-1}. */
    private static void statsRows(float[] xa, int xo, int n, int c, int lo, int hi, float[] oa, int oo) {
        int w = hi - lo;
        double[] sum = new double[w];
        for (int i = 0; i < n; i++) {
            int row = xo + i * c + lo;
            for (int j = 0; j < w; j++) {
                sum[j] += xa[row + j];
            }
        }
        double[] mean = new double[w];
        double[] m2 = new double[w];
        for (int j = 0; j < w; j++) {
            mean[j] = sum[j] / n;
        }
        for (int i = 0; i < n; i++) {
            int row = xo + i * c + lo;
            for (int j = 0; j < w; j++) {
                double d = xa[row + j] - mean[j];
                m2[j] += d * d;
            }
        }
        for (int j = 0; j < w; j++) {
            oa[oo + lo + j] = (float) mean[j];
            oa[oo + c + lo + j] = (float) (m2[j] / n);
        }
    }

    boolean forward(Operand x, Operand mean, Operand var, Operand weight, Operand bias, double eps, Operand out) {
        int[] v = view(x, mean, var, weight, bias, out);
        if (v == null) {
            return false;
        }
        int c = v[1];
        float[] m = floats(mean), va = floats(var), w = floats(weight), b = floats(bias);
        int mo = mean.layout().offset(), vo = var.layout().offset(), wo = weight.layout().offset();
        int bo = bias.layout().offset();
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double sc = w[wo + ch] / Math.sqrt((double) va[vo + ch] + eps);
            scale[ch] = (float) sc;
            shift[ch] = (float) (b[bo + ch] - m[mo + ch] * sc);
        }
        float[] xa = floats(x), oa = floats(out);
        int xo = x.layout().offset(), oo = out.layout().offset();
        eachRun(x, v, (base, ch, len) -> k.scaleShift(xa, xo + base, scale[ch], shift[ch], oa, oo + base, len),
                row -> {
                    for (int ch = 0; ch < c; ch++) {
                        oa[oo + row + ch] = Math.fma(xa[xo + row + ch], scale[ch], shift[ch]);
                    }
                });
        return true;
    }

    boolean backward(Operand gradOut, Operand x, Operand mean, Operand var, Operand weight, double eps,
                     boolean training, Operand gradIn, Operand gradWeight, Operand gradBias) {
        int[] v = view(x, gradOut, mean, var, weight, gradIn, gradWeight, gradBias);
        if (v == null) {
            return false;
        }
        int n = v[0], c = v[1], s = v[2];
        float[] ga = floats(gradOut), xa = floats(x), m = floats(mean), va = floats(var), w = floats(weight);
        int go = gradOut.layout().offset(), xo = x.layout().offset(), mo = mean.layout().offset();
        int vo = var.layout().offset(), wo = weight.layout().offset();
        double[] sumG = new double[c];
        double[] dot = new double[c];
        if (s == 1) {
            Parallel.forChunks(c, CHANNEL_GRAIN_ROWS, minParallel(x), (lo, hi) -> {
                for (int i = 0; i < n; i++) {
                    int row = i * c;
                    for (int ch = lo; ch < hi; ch++) {
                        double g = ga[go + row + ch];
                        sumG[ch] += g;
                        dot[ch] += g * (xa[xo + row + ch] - m[mo + ch]);
                    }
                }
            });
        } else {
            Parallel.forChunks(c, 1, minParallel(x), (lo, hi) -> {
                double[] acc = new double[2];
                for (int ch = lo; ch < hi; ch++) {
                    acc[0] = 0;
                    acc[1] = 0;
                    for (int i = 0; i < n; i++) {
                        int base = (i * c + ch) * s;
                        k.sumAndCenteredDot(ga, go + base, xa, xo + base, s, m[mo + ch], acc);
                    }
                    sumG[ch] = acc[0];
                    dot[ch] = acc[1];
                }
            });
        }
        float[] gw = floats(gradWeight), gb = floats(gradBias);
        int gwo = gradWeight.layout().offset(), gbo = gradBias.layout().offset();
        double count = (double) n * s;
        float[] proj = new float[c];
        float[] meanG = new float[c];
        float[] scale = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double invstd = 1 / Math.sqrt((double) va[vo + ch] + eps);
            gw[gwo + ch] = (float) (dot[ch] * invstd);
            gb[gbo + ch] = (float) sumG[ch];
            scale[ch] = (float) (invstd * w[wo + ch]);
            if (training) {
                proj[ch] = (float) (dot[ch] / count * invstd * invstd);
                meanG[ch] = (float) (sumG[ch] / count);
            }
        }
        if (gradIn == null) {
            return true;
        }
        float[] gi = floats(gradIn);
        int gio = gradIn.layout().offset();
        if (training) {
            eachRun(x, v, (base, ch, len) -> k.batchNormInputGradient(ga, go + base, xa, xo + base, m[mo + ch],
                    proj[ch], meanG[ch], scale[ch], gi, gio + base, len), row -> {
                for (int ch = 0; ch < c; ch++) {
                    gi[gio + row + ch] = (ga[go + row + ch] - Math.fma(xa[xo + row + ch] - m[mo + ch], proj[ch],
                            meanG[ch])) * scale[ch];
                }
            });
        } else {
            eachRun(x, v, (base, ch, len) -> k.scaleShift(ga, go + base, scale[ch], 0f, gi, gio + base, len), row -> {
                for (int ch = 0; ch < c; ch++) {
                    gi[gio + row + ch] = Math.fma(ga[go + row + ch], scale[ch], 0f);
                }
            });
        }
        return true;
    }

    /** An elementwise pass over one run: {@code len} elements of {@code channel} from element {@code base}. */
    private interface Run {
        void apply(int base, int channel, int len);
    }

    /** An elementwise pass over one row of a [N, C] input, from element {@code base}. */
    private interface Row {
        void apply(int base);
    }

    /**
     * Calls {@code run} for every run of x [N, C, S], in parallel; with S = 1, where a run is one element, calls
     * {@code row} for every row instead.
     */
    private static void eachRun(Operand x, int[] v, Run run, Row row) {
        int n = v[0], c = v[1], s = v[2];
        if (s == 1) {
            Parallel.forChunks(n, Math.max(1, Plan.GRAIN / c), minParallel(x), (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    row.apply(i * c);
                }
            });
            return;
        }
        Parallel.forChunks(n * c, Math.max(1, Plan.GRAIN / s), minParallel(x), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                run.apply(r * s, r % c, s);
            }
        });
    }

    private static float[] floats(Operand o) {
        return buf(o).floats();
    }

    private static double sq(double d) {
        return d * d;
    }
}
