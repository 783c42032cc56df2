package dev.nabla.testkit;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Naive double-precision loops that the nn suites use as expected values (written from PyTorch's
 * documented formulas, never calling the layer under test), and helpers that set a module's
 * weights to known values.
 */
final class NnReference {
    /** Tolerance of float32 layer outputs against the double loops (several accumulations deep). */
    static final double LAYER_RTOL = 1e-4;
    static final double LAYER_ATOL = 1e-5;

    private NnReference() {
    }

    static Tensor f32(double[] values, int... shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return Tensor.of(f, shape);
    }

    static Tensor f64(double[] values, int... shape) {
        return Tensor.of(values.clone(), shape);
    }

    /** Seeded uniform values in [lo, hi), rounded to float32 so that float32 tensors hold them exactly. */
    static double[] random(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    /**
     * Overwrites every parameter of {@code module} with seeded values in [-range, range) and returns
     * them (as doubles, exactly the stored float32 values) by dotted name.
     */
    static Map<String, double[]> randomizeParameters(Module module, long seed, double range) {
        Map<String, double[]> out = new LinkedHashMap<>();
        long s = seed;
        try (var off = GradMode.noGrad()) {
            for (var e : module.namedParameters().entrySet()) {
                Tensor p = e.getValue();
                double[] v = random(s++, p.numel(), -range, range);
                p.copyFrom(f32(v, p.shape()).to(p.dtype()));
                out.put(e.getKey(), p.toDoubleArray());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ dense layers

    /** {@code x [rows, in] W^T + b} with W [out, in]; b may be null. */
    static double[] linear(double[] x, int rows, int in, double[] w, double[] b, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    static double sigmoid(double x) {
        return Reference.sigmoid(x);
    }

    // ------------------------------------------------------------------ convolution and pooling

    static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
    }

    /**
     * Cross-correlation of x [n, c, h, w] with weight [o, c/groups, kh, kw], zero padding, as
     * {@code torch.nn.functional.conv2d}.
     */
    static double[] conv2d(double[] x, int n, int c, int h, int w, double[] weight, int o, int kh, int kw,
                           double[] bias, int stride, int pad, int dilation, int groups) {
        return conv2d(x, n, c, h, w, weight, o, kh, kw, bias, new int[]{stride, stride}, new int[]{pad, pad},
                new int[]{dilation, dilation}, groups);
    }

    /** {@link #conv2d} with stride, padding and dilation each given as {height, width}. */
    static double[] conv2d(double[] x, int n, int c, int h, int w, double[] weight, int o, int kh, int kw,
                           double[] bias, int[] stride, int[] pad, int[] dilation, int groups) {
        int oh = outSize(h, kh, stride[0], pad[0], dilation[0]);
        int ow = outSize(w, kw, stride[1], pad[1], dilation[1]);
        int cg = c / groups;
        int og = o / groups;
        double[] y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            int channel = g * cg + ic;
                            for (int ki = 0; ki < kh; ki++) {
                                for (int kj = 0; kj < kw; kj++) {
                                    int yi = i * stride[0] - pad[0] + ki * dilation[0];
                                    int xj = j * stride[1] - pad[1] + kj * dilation[1];
                                    if (yi < 0 || yi >= h || xj < 0 || xj >= w) {
                                        continue;
                                    }
                                    s += x[((b * c + channel) * h + yi) * w + xj]
                                            * weight[((oc * cg + ic) * kh + ki) * kw + kj];
                                }
                            }
                        }
                        y[((b * o + oc) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Max (or mean, counting zero padding) over k x k windows of x [n, c, h, w]; padding is -inf for max. */
    static double[] pool2d(double[] x, int n, int c, int h, int w, int k, int stride, int pad, boolean max) {
        return pool2d(x, n, c, h, w, new int[]{k, k}, new int[]{stride, stride}, new int[]{pad, pad},
                new int[]{1, 1}, max);
    }

    /** {@link #pool2d} with kernel, stride, padding and dilation each given as {height, width}. */
    static double[] pool2d(double[] x, int n, int c, int h, int w, int[] k, int[] stride, int[] pad, int[] dilation,
                           boolean max) {
        return pool2d(x, n, c, h, w, k, stride, pad, dilation, max, false, true);
    }

    /**
     * PyTorch's pooling output size along one axis (its {@code pooling_output_shape}): with ceil mode the division
     * rounds up, then a last window starting at or past {@code in + pad} is dropped.
     */
    static int poolOutSize(int in, int kernel, int stride, int pad, int dilation, boolean ceilMode) {
        int numerator = in + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        int out = Math.floorDiv(numerator, stride) + 1;
        if (ceilMode && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /**
     * PyTorch's max and average pooling, written as its CPU kernels read: a window starts at {@code i*stride - pad};
     * max takes the largest cell inside the input (padding and cells past it count as negative infinity). Average
     * sums the cells inside the input and divides by the window clipped to the padded extent
     * {@code [-pad, in + pad)} when {@code countIncludePad}, else by the number of cells summed.
     */
    static double[] pool2d(double[] x, int n, int c, int h, int w, int[] k, int[] stride, int[] pad, int[] dilation,
                           boolean max, boolean ceilMode, boolean countIncludePad) {
        int oh = poolOutSize(h, k[0], stride[0], pad[0], dilation[0], ceilMode);
        int ow = poolOutSize(w, k[1], stride[1], pad[1], dilation[1], ceilMode);
        double[] y = new double[n * c * oh * ow];
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int cells = 0;
                    for (int ki = 0; ki < k[0]; ki++) {
                        for (int kj = 0; kj < k[1]; kj++) {
                            int yi = i * stride[0] - pad[0] + ki * dilation[0];
                            int xj = j * stride[1] - pad[1] + kj * dilation[1];
                            if (yi >= 0 && yi < h && xj >= 0 && xj < w) {
                                double v = x[(p * h + yi) * w + xj];
                                acc = max ? Math.max(acc, v) : acc + v;
                                cells++;
                            }
                        }
                    }
                    if (!max) {
                        int hs = i * stride[0] - pad[0], ws = j * stride[1] - pad[1];
                        int he = Math.min(hs + k[0], h + pad[0]), we = Math.min(ws + k[1], w + pad[1]);
                        acc /= countIncludePad ? (he - hs) * (we - ws) : cells;
                    }
                    y[(p * oh + i) * ow + j] = acc;
                }
            }
        }
        return y;
    }

    /** PyTorch's adaptive average pooling: bin i spans [floor(i h / oh), ceil((i + 1) h / oh)). */
    static double[] adaptiveAvgPool2d(double[] x, int n, int c, int h, int w, int oh, int ow) {
        double[] y = new double[n * c * oh * ow];
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < oh; i++) {
                int h0 = (int) Math.floor(i * (double) h / oh);
                int h1 = (int) Math.ceil((i + 1) * (double) h / oh);
                for (int j = 0; j < ow; j++) {
                    int w0 = (int) Math.floor(j * (double) w / ow);
                    int w1 = (int) Math.ceil((j + 1) * (double) w / ow);
                    double s = 0;
                    for (int a = h0; a < h1; a++) {
                        for (int b = w0; b < w1; b++) {
                            s += x[(p * h + a) * w + b];
                        }
                    }
                    y[(p * oh + i) * ow + j] = s / ((h1 - h0) * (w1 - w0));
                }
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ normalization

    /** Normalizes each of {@code rows} consecutive groups of {@code width} values, then {@code * w + b} (may be null). */
    static double[] layerNorm(double[] x, int rows, int width, double[] w, double[] b, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < width; i++) {
                mean += x[r * width + i];
            }
            mean /= width;
            double var = 0;
            for (int i = 0; i < width; i++) {
                double d = x[r * width + i] - mean;
                var += d * d;
            }
            var /= width;
            for (int i = 0; i < width; i++) {
                double v = (x[r * width + i] - mean) / Math.sqrt(var + eps);
                y[r * width + i] = v * (w == null ? 1 : w[i]) + (b == null ? 0 : b[i]);
            }
        }
        return y;
    }

    /** Mean and biased variance of channel {@code ch} of x [n, c, spatial]. */
    static double[] channelStats(double[] x, int n, int c, int spatial, int ch) {
        double mean = 0;
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < spatial; s++) {
                mean += x[(b * c + ch) * spatial + s];
            }
        }
        int count = n * spatial;
        mean /= count;
        double var = 0;
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < spatial; s++) {
                double d = x[(b * c + ch) * spatial + s] - mean;
                var += d * d;
            }
        }
        return new double[]{mean, var / count};
    }

    /** {@code (x - mean[c]) / sqrt(var[c] + eps) * w[c] + b[c]} over x [n, c, spatial]. */
    static double[] normalizeChannels(double[] x, int n, int c, int spatial, double[] mean, double[] var, double[] w,
                                      double[] b, double eps) {
        double[] y = new double[x.length];
        for (int bi = 0; bi < n; bi++) {
            for (int ch = 0; ch < c; ch++) {
                for (int s = 0; s < spatial; s++) {
                    int i = (bi * c + ch) * spatial + s;
                    y[i] = (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps) * (w == null ? 1 : w[ch]) + (b == null ? 0 : b[ch]);
                }
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ attention

    /** Additive mask value for batch b, head h, query i, key j (0, a finite bias, or -infinity). */
    @FunctionalInterface
    interface AttentionMask {
        double at(int b, int h, int i, int j);

        AttentionMask NONE = (b, h, i, j) -> 0;
        AttentionMask CAUSAL = (b, h, i, j) -> j > i ? Double.NEGATIVE_INFINITY : 0;
    }

    /**
     * {@code torch.nn.MultiheadAttention} written as a loop over batches and heads, batch-first:
     * query [batch, lq, e], key and value [batch, lk, e]; {@code p} holds in_proj_weight [3e, e],
     * in_proj_bias [3e], out_proj.weight [e, e], out_proj.bias [e] (biases may be absent).
     */
    static double[] multiheadAttention(double[] query, double[] key, double[] value, int batch, int lq, int lk, int e,
                                       int heads, Map<String, double[]> p, AttentionMask mask) {
        double[] inW = p.get("in_proj_weight");
        double[] inB = p.get("in_proj_bias");
        int dh = e / heads;
        double[] out = new double[batch * lq * e];
        for (int b = 0; b < batch; b++) {
            double[] q = project(query, b * lq * e, lq, e, inW, inB, 0);
            double[] k = project(key, b * lk * e, lk, e, inW, inB, 1);
            double[] v = project(value, b * lk * e, lk, e, inW, inB, 2);
            double[] merged = new double[lq * e];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < lq; i++) {
                    double[] scores = new double[lk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        double s = 0;
                        for (int d = 0; d < dh; d++) {
                            s += q[i * e + h * dh + d] * k[j * e + h * dh + d];
                        }
                        scores[j] = s / Math.sqrt(dh) + mask.at(b, h, i, j);
                        max = Math.max(max, scores[j]);
                    }
                    double total = 0;
                    for (int j = 0; j < lk; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        total += scores[j];
                    }
                    for (int d = 0; d < dh; d++) {
                        double s = 0;
                        for (int j = 0; j < lk; j++) {
                            s += scores[j] / total * v[j * e + h * dh + d];
                        }
                        merged[i * e + h * dh + d] = s;
                    }
                }
            }
            double[] projected = linear(merged, lq, e, p.get("out_proj.weight"), p.get("out_proj.bias"), e);
            System.arraycopy(projected, 0, out, b * lq * e, lq * e);
        }
        return out;
    }

    /** Rows [part*e, (part+1)*e) of the packed projection applied to {@code rows} vectors of x starting at {@code offset}. */
    private static double[] project(double[] x, int offset, int rows, int e, double[] w, double[] b, int part) {
        double[] y = new double[rows * e];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < e; o++) {
                double s = b == null ? 0 : b[part * e + o];
                for (int i = 0; i < e; i++) {
                    s += x[offset + r * e + i] * w[(part * e + o) * e + i];
                }
                y[r * e + o] = s;
            }
        }
        return y;
    }

    /** Prefixes every key of {@code p} that starts with {@code prefix} removed (e.g. "self_attn."). */
    static Map<String, double[]> sub(Map<String, double[]> p, String prefix) {
        Map<String, double[]> out = new LinkedHashMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Batch-first [batch, len, d] to [len, batch, d] (and back: it is its own inverse with the sizes swapped). */
    static double[] swapFirstTwo(double[] x, int a, int b, int d) {
        double[] y = new double[x.length];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(x, (i * b + j) * d, y, (j * a + i) * d, d);
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ recurrent

    /** Hidden and cell state after one LSTM cell step (gate order i, f, g, o); biases may be null. */
    static double[][] lstmCell(double[] x, double[] h, double[] c, int batch, int in, int hidden, double[] wih,
                               double[] whh, double[] bih, double[] bhh) {
        double[] gx = linear(x, batch, in, wih, bih, 4 * hidden);
        double[] gh = linear(h, batch, hidden, whh, bhh, 4 * hidden);
        double[] newH = new double[batch * hidden];
        double[] newC = new double[batch * hidden];
        for (int b = 0; b < batch; b++) {
            for (int u = 0; u < hidden; u++) {
                int base = b * 4 * hidden;
                double i = sigmoid(gx[base + u] + gh[base + u]);
                double f = sigmoid(gx[base + hidden + u] + gh[base + hidden + u]);
                double g = Math.tanh(gx[base + 2 * hidden + u] + gh[base + 2 * hidden + u]);
                double o = sigmoid(gx[base + 3 * hidden + u] + gh[base + 3 * hidden + u]);
                double cell = f * c[b * hidden + u] + i * g;
                newC[b * hidden + u] = cell;
                newH[b * hidden + u] = o * Math.tanh(cell);
            }
        }
        return new double[][]{newH, newC};
    }

    /** The hidden state after one GRU cell step (gate order r, z, n); biases may be null. */
    static double[] gruCell(double[] x, double[] h, int batch, int in, int hidden, double[] wih, double[] whh,
                            double[] bih, double[] bhh) {
        double[] gx = linear(x, batch, in, wih, bih, 3 * hidden);
        double[] gh = linear(h, batch, hidden, whh, bhh, 3 * hidden);
        double[] newH = new double[batch * hidden];
        for (int b = 0; b < batch; b++) {
            for (int u = 0; u < hidden; u++) {
                int base = b * 3 * hidden;
                double r = sigmoid(gx[base + u] + gh[base + u]);
                double z = sigmoid(gx[base + hidden + u] + gh[base + hidden + u]);
                double n = Math.tanh(gx[base + 2 * hidden + u] + r * gh[base + 2 * hidden + u]);
                newH[b * hidden + u] = (1 - z) * n + z * h[b * hidden + u];
            }
        }
        return newH;
    }

    /**
     * A stacked LSTM over x [seq, batch, in] from states h0, c0 [layers, batch, hidden] (null: zeros).
     * Returns {output [seq, batch, hidden], hN [layers, batch, hidden], cN [layers, batch, hidden]}.
     */
    static double[][] lstm(double[] x, int seq, int batch, int in, int hidden, int layers, Map<String, double[]> p,
                           double[] h0, double[] c0) {
        return recurrent(true, x, seq, batch, in, hidden, layers, false, p, h0, c0);
    }

    /**
     * A stacked, optionally bidirectional LSTM ({@code lstm}) or GRU over x [seq, batch, in] from states
     * h0 (and c0 for the LSTM) [layers * dirs, batch, hidden] (null: zeros), with torch's parameter names.
     * Returns {output [seq, batch, dirs * hidden], hN, cN (LSTM only)}, states [layers * dirs, batch, hidden].
     */
    static double[][] recurrent(boolean lstm, double[] x, int seq, int batch, int in, int hidden, int layers,
                                boolean bidirectional, Map<String, double[]> p, double[] h0, double[] c0) {
        int dirs = bidirectional ? 2 : 1;
        int bh = batch * hidden;
        double[] layerInput = x;
        int width = in;
        double[] hN = new double[layers * dirs * bh];
        double[] cN = new double[layers * dirs * bh];
        for (int l = 0; l < layers; l++) {
            double[] output = new double[seq * batch * dirs * hidden];
            for (int d = 0; d < dirs; d++) {
                int row = l * dirs + d;
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                double[] h = h0 == null ? new double[bh] : java.util.Arrays.copyOfRange(h0, row * bh, (row + 1) * bh);
                double[] c = c0 == null ? new double[bh] : java.util.Arrays.copyOfRange(c0, row * bh, (row + 1) * bh);
                for (int i = 0; i < seq; i++) {
                    int t = d == 0 ? i : seq - 1 - i;
                    double[] xt = java.util.Arrays.copyOfRange(layerInput, t * batch * width, (t + 1) * batch * width);
                    if (lstm) {
                        double[][] hc = lstmCell(xt, h, c, batch, width, hidden, p.get("weight_ih" + suffix),
                                p.get("weight_hh" + suffix), p.get("bias_ih" + suffix), p.get("bias_hh" + suffix));
                        h = hc[0];
                        c = hc[1];
                    } else {
                        h = gruCell(xt, h, batch, width, hidden, p.get("weight_ih" + suffix), p.get("weight_hh" + suffix),
                                p.get("bias_ih" + suffix), p.get("bias_hh" + suffix));
                    }
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(h, b * hidden, output, ((t * batch + b) * dirs + d) * hidden, hidden);
                    }
                }
                System.arraycopy(h, 0, hN, row * bh, bh);
                System.arraycopy(c, 0, cN, row * bh, bh);
            }
            layerInput = output;
            width = dirs * hidden;
        }
        return lstm ? new double[][]{layerInput, hN, cN} : new double[][]{layerInput, hN};
    }
}
