package dev.nabla.cuda.emu;

import dev.nabla.spi.Conv2dGeometry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static dev.nabla.DType.FLOAT32;
import static dev.nabla.DType.FLOAT64;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pool.cu and norm.cu through the emulation, against dev.nabla.cpu.Pool and Norm (restated). */
class NormPoolEmulationTest extends EmulationTestBase {

    @Test
    void maxPoolForwardAndBackwardMatchTheCpuBackend() throws IOException {
        Random r = new Random(31);
        Conv2dGeometry[] geos = {Conv2dGeometry.of(2, 2, 0, 1), Conv2dGeometry.of(3, 1, 1, 1), Conv2dGeometry.of(3, 2, 1, 1),
            new Conv2dGeometry(2, 3, 1, 2, 0, 1, 2, 1), Conv2dGeometry.of(1, 1, 0, 1), Conv2dGeometry.of(3, 3, 1, 2)};
        for (boolean dbl : new boolean[] {false, true}) {
            for (Conv2dGeometry g : geos) {
                for (int c = 0; c < 3; c++) {
                    int planes = 1 + r.nextInt(4), h = 1 + r.nextInt(9), w = 1 + r.nextInt(9);
                    int oh = g.outHeight(h), ow = g.outWidth(w);
                    if (oh <= 0 || ow <= 0) {
                        continue;
                    }
                    int nIn = planes * h * w, nOut = planes * oh * ow;
                    double[] x = new double[nIn], go = new double[nOut];
                    for (int i = 0; i < nIn; i++) {
                        // few distinct values: ties; some NaN and -inf
                        int k = r.nextInt(40);
                        x[i] = k == 0 ? Double.NaN : k == 1 ? Double.NEGATIVE_INFINITY : r.nextInt(5) - 2 + (dbl ? 0.25 : 0.5);
                    }
                    for (int i = 0; i < nOut; i++) {
                        go[i] = r.nextGaussian();
                    }
                    boolean relu = r.nextBoolean();
                    double[] out = new double[nOut], gi = new double[nIn];
                    for (int p = 0; p < planes; p++) {
                        forward(x, p * h * w, h, w, out, p * oh * ow, oh, ow, g);
                        backward(x, p * h * w, h, w, go, p * oh * ow, oh, ow, gi, p * h * w, g, dbl);
                    }
                    if (relu) {
                        for (int i = 0; i < nIn; i++) {
                            gi[i] = x[i] > 0 ? gi[i] : 0;
                        }
                    }
                    var dt = dbl ? FLOAT64 : FLOAT32;
                    DArr dx = upload(dt, arr(x, dbl)), dout = alloc(dt, nOut), dgo = upload(dt, arr(go, dbl)), dgi = alloc(dt, nIn);
                    int[] cfg = config(r);
                    String sfx = dbl ? "f64" : "f32";
                    dev.launch("nabla_max_pool2d_" + sfx, cfg[0], cfg[1], r.nextInt(3), dx.ptr(), dout.ptr(), planes, h, w, oh,
                            ow, g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.dilationH(),
                            g.dilationW());
                    dev.launch("nabla_max_pool2d_backward_" + sfx, cfg[0], cfg[1], r.nextInt(3), dgo.ptr(), dx.ptr(), dgi.ptr(),
                            planes, h, w, oh, ow, g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(), g.padW(),
                            g.dilationH(), g.dilationW(), relu ? 1 : 0);
                    String what = "maxPool " + g + " " + planes + "x" + h + "x" + w + (relu ? " relu" : "") + " " + sfx;
                    Host.assertElements(what + " forward", dt, arr(out, dbl), download(dout), 0, false);
                    Host.assertElements(what + " backward", dt, arr(gi, dbl), download(dgi), 0, false);
                    free(dx, dout, dgo, dgi);
                    cases++;
                }
            }
        }
    }

    private static Object arr(double[] v, boolean dbl) {
        if (dbl) {
            return v.clone();
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Pool.forwardGeneral. */
    private static void forward(double[] x, int xb, int h, int w, double[] o, int ob, int oh, int ow, Conv2dGeometry g) {
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < g.kernelH(); i++) {
                    int y = r * g.strideH() - g.padH() + i * g.dilationH();
                    if (y < 0 || y >= h) {
                        continue;
                    }
                    for (int j = 0; j < g.kernelW(); j++) {
                        int xx = c * g.strideW() - g.padW() + j * g.dilationW();
                        if (xx >= 0 && xx < w) {
                            m = Math.max(m, x[xb + y * w + xx]);
                        }
                    }
                }
                o[ob + r * ow + c] = m;
            }
        }
    }

    /** Pool.backwardGeneral (gradients summed in the element type, in window order). */
    private static void backward(double[] x, int xb, int h, int w, double[] g, int gb, int oh, int ow, double[] gi, int ib,
                                 Conv2dGeometry geo, boolean dbl) {
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                int best = -1;
                double bv = 0;
                boolean first = true;
                scan:
                for (int i = 0; i < geo.kernelH(); i++) {
                    int y = r * geo.strideH() - geo.padH() + i * geo.dilationH();
                    for (int j = 0; j < geo.kernelW(); j++) {
                        int xx = c * geo.strideW() - geo.padW() + j * geo.dilationW();
                        boolean inside = y >= 0 && y < h && xx >= 0 && xx < w;
                        int pos = inside ? y * w + xx : -1;
                        double v = inside ? x[xb + pos] : Double.NEGATIVE_INFINITY;
                        if (first) {
                            first = false;
                            best = pos;
                            bv = v;
                            if (v != v) {
                                break scan;
                            }
                        } else if (v > bv) {
                            best = pos;
                            bv = v;
                        } else if (v != v) {
                            best = pos;
                            break scan;
                        }
                    }
                }
                if (best >= 0) {
                    double sum = gi[ib + best] + (dbl ? g[gb + r * ow + c] : (float) g[gb + r * ow + c]);
                    gi[ib + best] = dbl ? sum : (float) sum;
                }
            }
        }
    }

    @Test
    void batchNormMatchesTheCpuBackend() throws IOException {
        Random r = new Random(32);
        int[][] shapes = {{4, 3}, {2, 3, 5}, {3, 2, 4, 4}, {1, 1, 1}, {16, 1, 300}, {600, 2}};
        for (int[] shape : shapes) {
            for (boolean training : new boolean[] {true, false}) {
                int n = shape[0], c = shape[1], s = Host.numel(shape) / (n * c);
                int total = n * c * s;
                float[] x = new float[total], go = new float[total];
                float shift = r.nextInt(3) == 0 ? 1000f : 0f; // a large mean: the one-pass method must be stable
                for (int i = 0; i < total; i++) {
                    x[i] = shift + (float) r.nextGaussian();
                    go[i] = (float) r.nextGaussian();
                }
                float[] weight = new float[c], bias = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    weight[ch] = 0.5f + r.nextFloat();
                    bias[ch] = (float) r.nextGaussian();
                }
                double eps = 1e-5;
                // reference statistics in double (two-pass)
                double[] mean = new double[c], var = new double[c];
                for (int i = 0; i < total; i++) {
                    mean[(i / s) % c] += x[i];
                }
                for (int ch = 0; ch < c; ch++) {
                    mean[ch] /= (double) n * s;
                }
                for (int i = 0; i < total; i++) {
                    double d = x[i] - mean[(i / s) % c];
                    var[(i / s) % c] += d * d;
                }
                float[] stats = new float[2 * c];
                for (int ch = 0; ch < c; ch++) {
                    stats[ch] = (float) mean[ch];
                    stats[c + ch] = (float) (var[ch] / ((double) n * s));
                }
                DArr dx = upload(FLOAT32, x), dstats = alloc(FLOAT32, 2 * c);
                dev.launch("nabla_batch_norm_stats_f32", 1 + r.nextInt(3), 256, r.nextInt(3), dx.ptr(), dstats.ptr(), n, c, s);
                float[] got = (float[]) download(dstats);
                String what = "batchNorm " + java.util.Arrays.toString(shape);
                for (int k = 0; k < 2 * c; k++) {
                    assertTrue(Math.abs(got[k] - stats[k]) <= 2 * Math.ulp(stats[k]) + 1e-6f * Math.abs(stats[c + k % c]),
                            what + " stats[" + k + "] " + got[k] + " vs " + stats[k]);
                }
                float[] m = java.util.Arrays.copyOf(stats, c), v = java.util.Arrays.copyOfRange(stats, c, 2 * c);
                // forward: coefficients then x * scale + shift, bit for bit Norm.forward
                DArr dm = upload(FLOAT32, m), dv = upload(FLOAT32, v), dw = upload(FLOAT32, weight), db = upload(FLOAT32, bias);
                DArr dcoef = alloc(FLOAT32, 3 * c), dout = alloc(FLOAT32, total);
                dev.launch("nabla_batch_norm_coefficients_f32", 1, 32, 0, dm.ptr(), dv.ptr(), dw.ptr(), db.ptr(), eps,
                        dcoef.ptr(), c);
                dev.launch("nabla_batch_norm_apply_f32", 2, 64, r.nextInt(3), dx.ptr(), dcoef.ptr(), dout.ptr(), (long) total,
                        c, s);
                float[] expected = new float[total];
                float[] scale = new float[c], sh = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    double sc = weight[ch] / Math.sqrt((double) v[ch] + eps);
                    scale[ch] = (float) sc;
                    sh[ch] = (float) (bias[ch] - m[ch] * sc);
                }
                for (int i = 0; i < total; i++) {
                    expected[i] = Math.fma(x[i], scale[(i / s) % c], sh[(i / s) % c]);
                }
                Host.assertElements(what + " forward", FLOAT32, expected, download(dout), 0, false);
                // backward: sums to rounding, the input gradient bit for bit from the kernel's coefficients
                DArr dgo = upload(FLOAT32, go), dgw = alloc(FLOAT32, c), dgb = alloc(FLOAT32, c), dgi = alloc(FLOAT32, total);
                dev.launch("nabla_batch_norm_backward_sums_f32", 1 + r.nextInt(3), 256, r.nextInt(3), dgo.ptr(), dx.ptr(),
                        dm.ptr(), dv.ptr(), dw.ptr(), eps, training ? 1 : 0, dgw.ptr(), dgb.ptr(), dcoef.ptr(), n, c, s);
                dev.launch("nabla_batch_norm_backward_input_f32", 3, 32, r.nextInt(3), dgo.ptr(), dx.ptr(), dm.ptr(), dcoef.ptr(),
                        dgi.ptr(), (long) total, c, s, training ? 1 : 0);
                float[] gw = (float[]) download(dgw), gb = (float[]) download(dgb), coef = (float[]) download(dcoef);
                double count = (double) n * s;
                for (int ch = 0; ch < c; ch++) {
                    double sumG = 0, dot = 0;
                    for (int i = 0; i < total; i++) {
                        if ((i / s) % c == ch) {
                            sumG += go[i];
                            dot += (double) go[i] * (x[i] - m[ch]);
                        }
                    }
                    double invstd = 1 / Math.sqrt((double) v[ch] + eps);
                    double tol = 1e-5 * (1 + Math.sqrt(count));
                    assertTrue(Math.abs(gw[ch] - dot * invstd) <= tol * invstd, what + " gradWeight " + gw[ch] + " vs " + dot * invstd);
                    assertTrue(Math.abs(gb[ch] - sumG) <= tol, what + " gradBias " + gb[ch] + " vs " + sumG);
                    assertTrue(coef[ch] == (float) (invstd * weight[ch]), what + " scale");
                    if (training) {
                        assertTrue(Math.abs(coef[c + ch] - dot / count * invstd * invstd) <= 1e-5 * invstd * invstd, what + " proj");
                        assertTrue(Math.abs(coef[2 * c + ch] - sumG / count) <= 1e-5, what + " meanG");
                    }
                }
                float[] gi = new float[total];
                for (int i = 0; i < total; i++) {
                    int ch = (i / s) % c;
                    gi[i] = training ? (go[i] - Math.fma(x[i] - m[ch], coef[c + ch], coef[2 * c + ch])) * coef[ch]
                            : Math.fma(go[i], coef[ch], 0f);
                }
                Host.assertElements(what + " gradIn", FLOAT32, gi, download(dgi), 0, false);
                free(dx, dstats, dm, dv, dw, db, dcoef, dout, dgo, dgw, dgb, dgi);
                cases++;
            }
        }
    }
}
