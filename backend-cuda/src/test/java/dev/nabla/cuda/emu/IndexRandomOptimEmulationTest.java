package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.random.Philox;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Layout;
import dev.nabla.spi.RandomDistribution;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static dev.nabla.DType.BOOL;
import static dev.nabla.DType.FLOAT32;
import static dev.nabla.DType.FLOAT64;
import static dev.nabla.DType.INT32;
import static dev.nabla.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * index.cu (gather, indexSelect, scatterAdd, the error flag), random.cu (against Philox.reference) and optim.cu
 * (Adam/AdamW, ReLU backward) through the emulation.
 */
class IndexRandomOptimEmulationTest extends EmulationTestBase {

    private static int[] randomShape(Random r) {
        int rank = 1 + r.nextInt(3);
        int[] s = new int[rank];
        for (int k = 0; k < rank; k++) {
            s[k] = 1 + r.nextInt(6);
        }
        return s;
    }

    private static long[] indices(Random r, int n, int size) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(size);
        }
        return v;
    }

    /** Puts one out-of-range index at a random element of layout {@code li}; returns its linear index or -1. */
    private static int spoil(Random r, long[] buf, Layout li, int size) {
        if (r.nextInt(4) != 0) {
            return -1;
        }
        int n = li.numel();
        int bad = r.nextInt(n);
        int p = Host.pos(li, bad);
        for (int i = 0; i < n; i++) {
            if (i != bad && Host.pos(li, i) == p) {
                return -1; // a broadcast index element: every alias would be bad
            }
        }
        buf[p] = r.nextBoolean() ? -1 - r.nextInt(3) : size + r.nextInt(3);
        return bad;
    }

    private static void checkError(String what, DArr err, int bad, long value, int code, int dim, int size) throws IOException {
        long[] e = (long[]) download(err);
        long[] expected = bad < 0 ? new long[5] : new long[] {code, bad, value, dim, size};
        assertArrayEquals(expected, e, what + ": error record");
    }

    @Test
    void gatherAndIndexSelectForEveryDtype() throws IOException {
        Random r = new Random(21);
        for (DType d : DType.values()) {
            for (int c = 0; c < 6; c++) {
                // gather: out[i][j] = src[index[i][j]][j] for dim 0 ...
                int[] idxShape = randomShape(r);
                int rank = idxShape.length;
                int dim = r.nextInt(rank);
                int[] srcShape = idxShape.clone();
                for (int k = 0; k < rank; k++) {
                    srcShape[k] += r.nextInt(3);
                }
                Layout sl = Host.randomLayout(r, srcShape, true);
                Layout il = Host.randomLayout(r, idxShape, true);
                Layout ol = Host.randomLayout(r, idxShape, false);
                Object sh = Host.randomArray(d, Host.span(sl), r, true);
                long[] ih = indices(r, Host.span(il), srcShape[dim]);
                int bad = spoil(r, ih, il, srcShape[dim]);
                Object oh = Host.randomArray(d, Host.span(ol), r, false);
                Layout ls = new Layout(idxShape, withZero(sl.strides(), dim), sl.offset());
                DArr ds = upload(d, sh), di = upload(INT64, ih), dout = upload(d, oh), err = upload(INT64, new long[5]);
                EmuDevice.LayoutArg[] a = layoutArgs(r, ls, il, ol);
                int[] cfg = config(r);
                dev.launch("nabla_gather_" + Host.suffix(d), cfg[0], cfg[1], r.nextInt(3), ds.ptr(), a[0], sl.strides()[dim],
                        srcShape[dim], di.ptr(), a[1], dout.ptr(), a[2], err.ptr(), 1, dim, (long) il.numel());
                Object expected = Host.copy(oh);
                for (int i = 0; i < il.numel(); i++) {
                    if (i != bad) {
                        int v = (int) ih[Host.pos(il, i)];
                        Host.set(expected, Host.pos(ol, i), Host.get(sh, Host.pos(ls, i) + v * sl.strides()[dim]));
                    }
                }
                String what = "gather " + d + " src " + sl + " dim " + dim + " index " + il;
                Host.assertElements(what, d, expected, download(dout), 0, true);
                checkError(what, err, bad, bad < 0 ? 0 : ih[Host.pos(il, bad)], 1, dim, srcShape[dim]);
                free(ds, di, dout, err);
                cases++;

                // indexSelect
                int k = 1 + r.nextInt(5);
                Layout sl2 = Host.randomLayout(r, srcShape, true);
                Layout il2 = Host.randomLayout(r, new int[] {k}, false);
                int[] outShape = srcShape.clone();
                outShape[dim] = k;
                Layout ol2 = Host.randomLayout(r, outShape, false);
                Object sh2 = Host.randomArray(d, Host.span(sl2), r, true);
                long[] ih2 = indices(r, Host.span(il2), srcShape[dim]);
                int badK = r.nextInt(4) == 0 ? r.nextInt(k) : -1;
                if (badK >= 0) {
                    ih2[Host.pos(il2, badK)] = srcShape[dim] + 1;
                }
                Object oh2 = Host.randomArray(d, Host.span(ol2), r, false);
                Layout ls2 = new Layout(outShape, withZero(sl2.strides(), dim), sl2.offset());
                int[] istr = new int[rank];
                istr[dim] = il2.strides()[0];
                Layout li2 = new Layout(outShape, istr, il2.offset());
                DArr ds2 = upload(d, sh2), di2 = upload(INT64, ih2), dout2 = upload(d, oh2), err2 = upload(INT64, new long[5]);
                EmuDevice.LayoutArg[] a2 = layoutArgs(r, ls2, li2, ol2);
                int n2 = Host.numel(outShape);
                dev.launch("nabla_gather_" + Host.suffix(d), 1, 1 + r.nextInt(64), r.nextInt(3), ds2.ptr(), a2[0],
                        sl2.strides()[dim], srcShape[dim], di2.ptr(), a2[1], dout2.ptr(), a2[2], err2.ptr(), 3, dim, (long) n2);
                Object expected2 = Host.copy(oh2);
                int firstBad = -1;
                for (int i = 0; i < n2; i++) {
                    long v = ih2[Host.pos(li2, i)];
                    if (v >= srcShape[dim]) {
                        if (firstBad < 0) {
                            firstBad = i;
                        }
                        continue;
                    }
                    Host.set(expected2, Host.pos(ol2, i), Host.get(sh2, Host.pos(ls2, i) + (int) v * sl2.strides()[dim]));
                }
                String what2 = "indexSelect " + d + " src " + sl2 + " dim " + dim + " index " + il2;
                Host.assertElements(what2, d, expected2, download(dout2), 0, true);
                long[] e2 = (long[]) download(err2);
                if (badK < 0) {
                    assertArrayEquals(new long[5], e2, what2);
                } else {
                    // several elements share the bad index: any of them may claim the record
                    long[] head = {e2[0], e2[2], e2[3], e2[4]};
                    assertArrayEquals(new long[] {3, srcShape[dim] + 1, dim, srcShape[dim]}, head, what2);
                    if (ih2[Host.pos(li2, (int) e2[1])] != srcShape[dim] + 1) {
                        throw new AssertionError(what2 + ": recorded position " + e2[1] + " holds a good index");
                    }
                }
                free(ds2, di2, dout2, err2);
                cases++;
            }
        }
    }

    private static int[] withZero(int[] strides, int dim) {
        int[] s = strides.clone();
        s[dim] = 0;
        return s;
    }

    @Test
    void scatterAddAccumulatesEveryUpdate() throws IOException {
        Random r = new Random(22);
        for (DType d : new DType[] {INT32, INT64, FLOAT32, FLOAT64}) {
            for (int c = 0; c < 8; c++) {
                int[] idxShape = randomShape(r);
                int rank = idxShape.length;
                int dim = r.nextInt(rank);
                int[] dstShape = idxShape.clone();
                for (int k = 0; k < rank; k++) {
                    dstShape[k] += r.nextInt(3);
                }
                Layout dl = Host.randomLayout(r, dstShape, false);
                Layout il = Host.randomLayout(r, idxShape, true);
                Layout srl = Host.randomLayout(r, idxShape, true);
                Object dh = smallInts(d, Host.span(dl), r);
                Object srh = smallInts(d, Host.span(srl), r);
                long[] ih = indices(r, Host.span(il), dstShape[dim]);
                int bad = spoil(r, ih, il, dstShape[dim]);
                Layout ld = new Layout(idxShape, withZero(dl.strides(), dim), dl.offset());
                DArr ddst = upload(d, dh), di = upload(INT64, ih), dsrc = upload(d, srh), err = upload(INT64, new long[5]);
                EmuDevice.LayoutArg[] a = layoutArgs(r, ld, il, srl);
                int[] cfg = config(r);
                dev.launch("nabla_scatter_add_" + Host.suffix(d), cfg[0], cfg[1], r.nextInt(3), ddst.ptr(), a[0],
                        dl.strides()[dim], dstShape[dim], di.ptr(), a[1], dsrc.ptr(), a[2], err.ptr(), 2, dim,
                        (long) il.numel());
                Object expected = Host.copy(dh);
                for (int i = 0; i < il.numel(); i++) {
                    if (i == bad) {
                        continue;
                    }
                    int p = Host.pos(ld, i) + (int) ih[Host.pos(il, i)] * dl.strides()[dim];
                    Object s = Host.get(srh, Host.pos(srl, i));
                    Object old = Host.get(expected, p);
                    Host.set(expected, p, switch (d) {
                        case INT32 -> (Object) ((Integer) old + (Integer) s);
                        case INT64 -> (Object) ((Long) old + (Long) s);
                        case FLOAT32 -> (Object) ((Float) old + (Float) s);
                        default -> (Object) ((Double) old + (Double) s);
                    });
                }
                String what = "scatterAdd " + d + " dst " + dl + " dim " + dim + " index " + il;
                Host.assertElements(what, d, expected, download(ddst), 0, false);
                checkError(what, err, bad, bad < 0 ? 0 : ih[Host.pos(il, bad)], 2, dim, dstShape[dim]);
                free(ddst, di, dsrc, err);
                cases++;
            }
        }
    }

    /** Integer values (floats too: sums in any order are then exact); INT64 also near the wrap-around. */
    private static Object smallInts(DType d, int n, Random r) {
        Object a = JavaArrays.newArray(d, n);
        for (int i = 0; i < n; i++) {
            int v = r.nextInt(201) - 100;
            Host.set(a, i, switch (d) {
                case INT32 -> (Object) (r.nextInt(10) == 0 ? Integer.MAX_VALUE - v : v);
                case INT64 -> (Object) (r.nextInt(10) == 0 ? Long.MAX_VALUE - v : (long) v);
                case FLOAT32 -> (Object) (float) v;
                default -> (Object) (double) v;
            });
        }
        return a;
    }

    @Test
    void randomMatchesThePhiloxReference() throws IOException {
        Random r = new Random(23);
        long[] offsets = {0, 1, 2, 3, 5, 4096, (1L << 32) - 1, -1, -2, -3, -5};
        int[] sizes = {1, 2, 3, 7, 1000, 4097};
        RandomDistribution[] dists = {RandomDistribution.uniform(-2, 3), RandomDistribution.uniform(1.0, 1.0000001),
            RandomDistribution.uniform(0, 1), RandomDistribution.normal(0, 1), RandomDistribution.normal(3, 0.25), RandomDistribution.normal(1, 2),
            RandomDistribution.bernoulli(0.3), RandomDistribution.bernoulli(0), RandomDistribution.bernoulli(1),
            RandomDistribution.integers(0, 10), RandomDistribution.integers(-5, 5),
            RandomDistribution.integers(Long.MIN_VALUE, Long.MAX_VALUE), RandomDistribution.integers(-(1L << 62), (1L << 62) + 3)};
        for (RandomDistribution dist : dists) {
            for (DType d : new DType[] {FLOAT32, FLOAT64, BOOL, INT64}) {
                if (!dist.supports(d)) {
                    continue;
                }
                for (int c = 0; c < 6; c++) {
                    long seed = c == 0 ? 0 : r.nextLong();
                    long offset = offsets[r.nextInt(offsets.length)];
                    int n = sizes[r.nextInt(sizes.length)];
                    Object ref = Philox.reference(dist, d, seed, offset, n);
                    int pad = 3;
                    Object init = Host.randomArray(d, n + 2 * pad, r, false);
                    DArr out = upload(d, init);
                    String kind = dist.kind().name().toLowerCase();
                    int[] cfg = config(r);
                    Object p1 = dist.kind() == RandomDistribution.Kind.INTEGERS ? (Object) dist.low() : (Object) dist.a();
                    Object p2 = dist.kind() == RandomDistribution.Kind.INTEGERS ? (Object) dist.high() : (Object) dist.b();
                    dev.launch("nabla_random_" + kind + "_" + Host.suffix(d), cfg[0], cfg[1], r.nextInt(3),
                            out.ptr().plus((long) pad * d.byteSize()), (long) n, seed, offset, p1, p2);
                    Object expected = Host.copy(init);
                    System.arraycopy(ref, 0, expected, pad, n);
                    long ulps = dist.kind() != RandomDistribution.Kind.NORMAL ? 0 : 1;
                    if (dist.kind() == RandomDistribution.Kind.NORMAL && d == FLOAT64) {
                        Host.assertNormal64("random " + dist + " seed " + seed + " offset " + offset, dist.a(), dist.b(),
                                (double[]) ref, (double[]) download(out), pad);
                        Object guard = download(out);
                        for (int k : new int[] {0, 1, 2, n + 3, n + 4, n + 5}) {
                            if (!Host.get(guard, k).equals(Host.get(init, k))) {
                                throw new AssertionError("random wrote outside its operand at " + k);
                            }
                        }
                        free(out);
                        cases++;
                        continue;
                    }
                    Host.assertElements("random " + dist + " " + d + " seed " + seed + " offset " + offset + " n " + n, d,
                            expected, download(out), ulps, true);
                    free(out);
                    cases++;
                }
            }
        }
    }

    @Test
    void adamStepRoundsLikeTheCpuBackend() throws IOException {
        Random r = new Random(24);
        for (DType d : new DType[] {FLOAT32, FLOAT64}) {
            for (int c = 0; c < 8; c++) {
                int n = new int[] {1, 33, 1000}[r.nextInt(3)];
                double lr = 1e-3 * (1 + r.nextInt(10)), beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
                double wd = c % 2 == 0 ? 0 : 0.01;
                boolean decoupled = c % 4 >= 2;
                long step = 1 + r.nextInt(20);
                Object p = Host.randomArray(d, n, r, false), g = Host.randomArray(d, n, r, false);
                Object m = Host.randomArray(d, n, r, false), v = Host.randomArray(d, n, r, false);
                for (int i = 0; i < n; i++) {
                    Host.set(v, i, d == FLOAT32 ? (Object) Math.abs((Float) Host.get(v, i)) : (Object) Math.abs((Double) Host.get(v, i)));
                }
                // host scalars as Optim.adamStep computes them
                double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
                boolean coupled = wd != 0 && !decoupled;
                double decay = wd != 0 && decoupled ? 1 - lr * wd : 1;
                double sqrtBc2 = Math.sqrt(bc2), stepScale = -lr / bc1;
                DArr dp = upload(d, p), dg = upload(d, g), dm = upload(d, m), dv = upload(d, v);
                int[] cfg = config(r);
                if (d == FLOAT32) {
                    dev.launch("nabla_adam_f32", cfg[0], cfg[1], r.nextInt(3), dp.ptr(), dg.ptr(), dm.ptr(), dv.ptr(), (long) n,
                            (float) decay, coupled ? 1 : 0, (float) wd, (float) beta1, (float) (1 - beta1), (float) beta2,
                            (float) (1 - beta2), (float) sqrtBc2, (float) eps, (float) stepScale);
                    float[] pa = (float[]) p, ga = (float[]) g, ma = (float[]) m, va = (float[]) v;
                    float fDecay = (float) decay, fWd = (float) wd, b1 = (float) beta1, c1 = (float) (1 - beta1);
                    float b2 = (float) beta2, c2 = (float) (1 - beta2), fSqrt = (float) sqrtBc2, fEps = (float) eps;
                    float fScale = (float) stepScale;
                    for (int i = 0; i < n; i++) { // ScalarFloatKernels.adam
                        float pi = pa[i] * fDecay;
                        float gi = coupled ? ga[i] + pi * fWd : ga[i];
                        float mi = ma[i] * b1 + gi * c1;
                        float vi = va[i] * b2 + (gi * gi) * c2;
                        ma[i] = mi;
                        va[i] = vi;
                        pa[i] = pi + (mi / ((float) Math.sqrt(vi) / fSqrt + fEps)) * fScale;
                    }
                } else {
                    dev.launch("nabla_adam_f64", cfg[0], cfg[1], r.nextInt(3), dp.ptr(), dg.ptr(), dm.ptr(), dv.ptr(), (long) n,
                            decay, coupled ? 1 : 0, wd, beta1, 1 - beta1, beta2, 1 - beta2, sqrtBc2, eps, stepScale);
                    double[] pa = (double[]) p, ga = (double[]) g, ma = (double[]) m, va = (double[]) v;
                    double c1 = 1 - beta1, c2 = 1 - beta2;
                    for (int i = 0; i < n; i++) { // Optim.adamStep, FLOAT64
                        double pi = pa[i] * decay;
                        double gi = coupled ? ga[i] + pi * wd : ga[i];
                        double mi = ma[i] * beta1 + gi * c1;
                        double vi = va[i] * beta2 + (gi * gi) * c2;
                        ma[i] = mi;
                        va[i] = vi;
                        pa[i] = pi + (mi / (Math.sqrt(vi) / sqrtBc2 + eps)) * stepScale;
                    }
                }
                String what = "adam " + d + " n " + n + " wd " + wd + " decoupled " + decoupled;
                Host.assertElements(what + " param", d, p, download(dp), 0, false);
                Host.assertElements(what + " m", d, m, download(dm), 0, false);
                Host.assertElements(what + " v", d, v, download(dv), 0, false);
                free(dp, dg, dm, dv);
                cases++;
            }
        }
    }

    @Test
    void reluBackwardPassesGradientsWhereTheInputIsPositive() throws IOException {
        Random r = new Random(25);
        for (DType d : new DType[] {FLOAT32, FLOAT64}) {
            for (int n : new int[] {1, 31, 1000}) {
                Object g = Host.randomArray(d, n, r, true), x = Host.randomArray(d, n, r, true);
                DArr dg = upload(d, g), dx = upload(d, x), dout = alloc(d, n);
                int[] cfg = config(r);
                dev.launch("nabla_relu_backward_" + Host.suffix(d), cfg[0], cfg[1], r.nextInt(3), dg.ptr(), dx.ptr(),
                        dout.ptr(), (long) n);
                Object expected = JavaArrays.newArray(d, n);
                for (int i = 0; i < n; i++) {
                    double xi = ((Number) Host.get(x, i)).doubleValue();
                    Host.set(expected, i, xi > 0 ? Host.get(g, i) : d == FLOAT32 ? (Object) 0f : (Object) 0.0);
                }
                Host.assertElements("reluBackward " + d + " n " + n + " " + Arrays.toString(new int[] {n}), d, expected,
                        download(dout), 0, true);
                free(dg, dx, dout);
                cases++;
            }
        }
    }
}
