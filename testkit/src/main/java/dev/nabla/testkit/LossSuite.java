package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradCheck;
import dev.nabla.nn.BCEWithLogitsLoss;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Functional;
import dev.nabla.nn.HuberLoss;
import dev.nabla.nn.L1Loss;
import dev.nabla.nn.MSELoss;
import dev.nabla.nn.NLLLoss;
import dev.nabla.nn.Reduction;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Losses against naive double loops written from PyTorch's documented formulas (class weights,
 * ignore index, label smoothing, K-dimensional targets, reductions), and their gradients.
 */
public abstract class LossSuite extends BackendTestBase {
    private static final int IGNORE = -100;

    // ------------------------------------------------------------------ naive references

    /** log_softmax over the class dimension of x [n, c, d]. */
    private static double[] logSoftmax(double[] x, int n, int c, int d) {
        double[] out = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < d; s++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, x[(b * c + k) * d + s]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(x[(b * c + k) * d + s] - max);
                }
                double lse = max + Math.log(sum);
                for (int k = 0; k < c; k++) {
                    out[(b * c + k) * d + s] = x[(b * c + k) * d + s] - lse;
                }
            }
        }
        return out;
    }

    /**
     * torch.nn.CrossEntropyLoss with class indices on logits [n, c, d]: per element
     * {@code (1 - eps) w[y] (-logp[y]) + eps / C * sum_c w[c] (-logp[c])}, 0 where ignored; the mean
     * divides both parts by the sum of w[y] over the non-ignored elements.
     */
    static double[] crossEntropy(double[] logits, int n, int c, int d, long[] target, double[] w, int ignore,
                                 Reduction reduction, double eps) {
        double[] logp = logSoftmax(logits, n, c, d);
        double[] perElement = new double[n * d];
        double weightSum = 0;
        double total = 0;
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < d; s++) {
                int y = (int) target[b * d + s];
                if (y == ignore) {
                    continue;
                }
                double wy = w == null ? 1 : w[y];
                double smooth = 0;
                for (int k = 0; k < c; k++) {
                    smooth -= (w == null ? 1 : w[k]) * logp[(b * c + k) * d + s];
                }
                double loss = (1 - eps) * wy * -logp[(b * c + y) * d + s] + eps / c * smooth;
                perElement[b * d + s] = loss;
                weightSum += wy;
                total += loss;
            }
        }
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> new double[]{total};
            case MEAN -> new double[]{total / weightSum};
        };
    }

    /** Cross entropy with class probabilities t [n, c, d]: {@code -sum_c w[c] t'[c] logp[c]}, t' smoothed; mean over n*d. */
    static double[] softCrossEntropy(double[] logits, double[] t, int n, int c, int d, double[] w, Reduction reduction,
                                     double eps) {
        double[] logp = logSoftmax(logits, n, c, d);
        double[] perElement = new double[n * d];
        double total = 0;
        for (int b = 0; b < n; b++) {
            for (int s = 0; s < d; s++) {
                double loss = 0;
                for (int k = 0; k < c; k++) {
                    int i = (b * c + k) * d + s;
                    loss -= (w == null ? 1 : w[k]) * (t[i] * (1 - eps) + eps / c) * logp[i];
                }
                perElement[b * d + s] = loss;
                total += loss;
            }
        }
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> new double[]{total};
            case MEAN -> new double[]{total / (n * d)};
        };
    }

    private static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    private static double[] reduce(double[] v, Reduction reduction) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return switch (reduction) {
            case NONE -> v;
            case SUM -> new double[]{s};
            case MEAN -> new double[]{s / v.length};
        };
    }

    private static Tensor any(long seed, int... shape) {
        return NnReference.f64(NnReference.random(seed, Reference.numel(shape), -2, 2), shape);
    }

    // ------------------------------------------------------------------ cross entropy

    @Test
    void crossEntropyHandComputed() {
        // logits [0, ln 3] -> p = [1/4, 3/4]; target 1 -> -ln(3/4); target 0 -> ln 4
        Tensor logits = Tensor.of(new double[]{0, Math.log(3), 0, Math.log(3)}, 2, 2);
        Tensor y = Tensor.of(new long[]{1, 0});
        assertValues(new CrossEntropyLoss().forward(logits, y), (-Math.log(0.75) + Math.log(4)) / 2);
        assertValues(new CrossEntropyLoss(null, IGNORE, Reduction.NONE, 0).forward(logits, y), -Math.log(0.75), Math.log(4));
    }

    @Test
    void crossEntropyWithClassIndicesAndEveryReduction() {
        double[] x = NnReference.random(1, 5 * 4, -3, 3);
        long[] t = {3, 0, 2, 2, 1};
        for (Reduction r : Reduction.values()) {
            Tensor loss = Functional.crossEntropy(NnReference.f64(x, 5, 4), Tensor.of(t), null, IGNORE, r, 0);
            assertValues(loss, crossEntropy(x, 5, 4, 1, t, null, IGNORE, r, 0));
            if (r == Reduction.NONE) {
                assertShape(loss, 5);
            } else {
                assertShape(loss);
            }
        }
    }

    @Test
    void crossEntropyInFloat32() {
        double[] x = NnReference.random(2, 6 * 3, -3, 3);
        long[] t = {0, 1, 2, 2, 1, 0};
        Tensor loss = new CrossEntropyLoss().forward(NnReference.f32(x, 6, 3), Tensor.of(t));
        assertDType(DType.FLOAT32, loss);
        assertValuesWithin(loss, 1e-6, 1e-6, crossEntropy(x, 6, 3, 1, t, null, IGNORE, Reduction.MEAN, 0));
    }

    @Test
    void crossEntropyWithClassWeightsNormalizesByTheTargetWeights() {
        double[] x = NnReference.random(3, 5 * 3, -2, 2);
        long[] t = {2, 0, 2, 1, 0};
        double[] w = {0.2, 1.5, 3.0};
        for (Reduction r : Reduction.values()) {
            assertValues(new CrossEntropyLoss(Tensor.of(w), IGNORE, r, 0).forward(NnReference.f64(x, 5, 3), Tensor.of(t)),
                    crossEntropy(x, 5, 3, 1, t, w, IGNORE, r, 0));
        }
    }

    @Test
    void crossEntropyIgnoresTheIgnoreIndex() {
        double[] x = NnReference.random(4, 5 * 3, -2, 2);
        long[] t = {2, -100, 1, -100, 0};
        for (Reduction r : Reduction.values()) {
            assertValues(new CrossEntropyLoss(null, IGNORE, r, 0).forward(NnReference.f64(x, 5, 3), Tensor.of(t)),
                    crossEntropy(x, 5, 3, 1, t, null, IGNORE, r, 0));
        }
        // a custom ignore index that is a valid class
        long[] u = {1, 1, 0, 2, 1};
        assertValues(new CrossEntropyLoss(null, 1, Reduction.MEAN, 0).forward(NnReference.f64(x, 5, 3), Tensor.of(u)),
                crossEntropy(x, 5, 3, 1, u, null, 1, Reduction.MEAN, 0));
        // every target ignored: the mean is 0 / 0 (NaN, as in PyTorch)
        Tensor all = new CrossEntropyLoss().forward(NnReference.f64(x, 5, 3), Tensor.of(new long[]{-100, -100, -100, -100, -100}));
        assertTrue(Double.isNaN(all.item()), "mean over no targets is NaN, found " + all.item());
    }

    @Test
    void crossEntropyWithLabelSmoothing() {
        double[] x = NnReference.random(5, 6 * 4, -2, 2);
        long[] t = {3, 0, 2, -100, 1, 1};
        double[] w = {0.5, 2, 1, 0.25};
        for (Reduction r : Reduction.values()) {
            assertValues(new CrossEntropyLoss(null, IGNORE, r, 0.1).forward(NnReference.f64(x, 6, 4), Tensor.of(t)),
                    crossEntropy(x, 6, 4, 1, t, null, IGNORE, r, 0.1));
            assertValues(new CrossEntropyLoss(Tensor.of(w), IGNORE, r, 0.2).forward(NnReference.f64(x, 6, 4), Tensor.of(t)),
                    crossEntropy(x, 6, 4, 1, t, w, IGNORE, r, 0.2));
        }
        assertValues(new CrossEntropyLoss().withLabelSmoothing(0.3).forward(NnReference.f64(x, 6, 4), Tensor.of(t)),
                crossEntropy(x, 6, 4, 1, t, null, IGNORE, Reduction.MEAN, 0.3));
    }

    @Test
    void crossEntropyWithClassProbabilities() {
        double[] x = NnReference.random(6, 4 * 3, -2, 2);
        double[] t = {0.2, 0.5, 0.3, 1, 0, 0, 0, 0.5, 0.5, 0.1, 0.1, 0.8};
        double[] w = {1, 2, 0.5};
        for (Reduction r : Reduction.values()) {
            for (double eps : new double[]{0, 0.15}) {
                assertValues(new CrossEntropyLoss(null, IGNORE, r, eps).forward(NnReference.f64(x, 4, 3), NnReference.f64(t, 4, 3)),
                        softCrossEntropy(x, t, 4, 3, 1, null, r, eps));
                assertValues(new CrossEntropyLoss(Tensor.of(w), IGNORE, r, eps).forward(NnReference.f64(x, 4, 3),
                        NnReference.f64(t, 4, 3)), softCrossEntropy(x, t, 4, 3, 1, w, r, eps));
            }
        }
    }

    @Test
    void crossEntropyWithKDimensionalTargets() {
        // logits [N=2, C=3, d1=4], targets [2, 4]
        double[] x = NnReference.random(7, 2 * 3 * 4, -2, 2);
        long[] t = {0, 2, 1, -100, 2, 2, 0, 1};
        double[] w = {1, 0.5, 2};
        for (Reduction r : Reduction.values()) {
            Tensor loss = new CrossEntropyLoss(Tensor.of(w), IGNORE, r, 0.1).forward(NnReference.f64(x, 2, 3, 4),
                    Tensor.of(t, 2, 4));
            assertValues(loss, crossEntropy(x, 2, 3, 4, t, w, IGNORE, r, 0.1));
            if (r == Reduction.NONE) {
                assertShape(loss, 2, 4);
            }
        }
        double[] soft = NnReference.random(8, 2 * 3 * 4, 0, 1);
        assertValues(new CrossEntropyLoss().forward(NnReference.f64(x, 2, 3, 4), NnReference.f64(soft, 2, 3, 4)),
                softCrossEntropy(x, soft, 2, 3, 4, null, Reduction.MEAN, 0));
    }

    @Test
    void crossEntropyOfUnbatchedLogits() {
        double[] x = {0.5, -1, 2};
        double lse = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(2));
        assertValues(new CrossEntropyLoss().forward(Tensor.of(x), Tensor.of(new long[]{1}).reshape()), lse + 1);
    }

    @Test
    void crossEntropyIsStableForLargeLogits() {
        Tensor logits = Tensor.of(new float[]{1000, -1000, 0, -1000, 1000, 500}, 2, 3);
        Tensor loss = new CrossEntropyLoss(null, IGNORE, Reduction.NONE, 0).forward(logits, Tensor.of(new long[]{0, 2}));
        assertValuesWithin(loss, 1e-6, 1e-6, 0, 500);
        Tensor wrong = new CrossEntropyLoss(null, IGNORE, Reduction.NONE, 0).forward(logits, Tensor.of(new long[]{1, 0}));
        assertValuesWithin(wrong, 1e-6, 1e-6, 2000, 2000);
    }

    @Test
    void crossEntropyAcceptsInt32Targets() {
        double[] x = NnReference.random(9, 3 * 3, -2, 2);
        assertValues(new CrossEntropyLoss().forward(NnReference.f64(x, 3, 3), Tensor.of(new int[]{2, 0, 1})),
                crossEntropy(x, 3, 3, 1, new long[]{2, 0, 1}, null, IGNORE, Reduction.MEAN, 0));
    }

    @Test
    void crossEntropyRejectsBadTargets() {
        Tensor logits = Tensor.zeros(3, 4);
        for (long bad : new long[]{4, -1}) {
            Tensor target = Tensor.of(new long[]{0, bad, 1});
            if (Nabla.isSynchronous(logits.device())) {
                // checked before anything runs, with the range in the message
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new CrossEntropyLoss().forward(logits, target));
                assertTrue(e.getMessage().contains("[0, 4)") && e.getMessage().contains("found values from"),
                        e.getMessage());
            } else {
                // a device that queues work reports the index from its gather, at the latest when the loss is read
                assertThrows(IndexOutOfBoundsException.class, () -> new CrossEntropyLoss().forward(logits, target).item());
            }
        }
        ShapeException e = assertThrows(ShapeException.class, () -> new CrossEntropyLoss().forward(logits, Tensor.of(new long[]{0, 1})));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3, 4]"), e.getMessage());
        assertThrows(ShapeException.class, () -> new CrossEntropyLoss().forward(logits, Tensor.zeros(3, 3)));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(null, IGNORE, Reduction.MEAN, 1.5));
    }

    // ------------------------------------------------------------------ NLL

    @Test
    void nllLossPicksTheNegatedLogProbability() {
        double[] lp = NnReference.random(10, 4 * 3, -3, 0);
        long[] t = {1, 2, -100, 0};
        double[] w = {2, 1, 0.5};
        double[] none = {-w[1] * lp[1], -w[2] * lp[5], 0, -w[0] * lp[9]};
        Tensor input = NnReference.f64(lp, 4, 3);
        assertValues(new NLLLoss(Tensor.of(w), IGNORE, Reduction.NONE).forward(input, Tensor.of(t)), none);
        assertValues(new NLLLoss(Tensor.of(w), IGNORE, Reduction.SUM).forward(input, Tensor.of(t)), none[0] + none[1] + none[3]);
        assertValues(new NLLLoss(Tensor.of(w), IGNORE, Reduction.MEAN).forward(input, Tensor.of(t)),
                (none[0] + none[1] + none[3]) / (w[1] + w[2] + w[0]));
        assertValues(new NLLLoss().forward(input, Tensor.of(new long[]{0, 0, 1, 2})), -(lp[0] + lp[3] + lp[7] + lp[11]) / 4);
        assertThrows(ShapeException.class, () -> new NLLLoss().forward(input, Tensor.zeros(4)));
    }

    // ------------------------------------------------------------------ regression losses

    @Test
    void mseL1AndHuberWithEveryReduction() {
        double[] p = {0.5, -1, 2, 0.1, 3, -0.2};
        double[] t = {0, 1, 2.25, -0.1, 0, 0.3};
        double[] mse = new double[6];
        double[] l1 = new double[6];
        double[] huber = new double[6];
        double[] huberHalf = new double[6];
        for (int i = 0; i < 6; i++) {
            double d = p[i] - t[i];
            mse[i] = d * d;
            l1[i] = Math.abs(d);
            huber[i] = Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5;
            huberHalf[i] = Math.abs(d) < 0.5 ? 0.5 * d * d : 0.5 * (Math.abs(d) - 0.25);
        }
        Tensor pt = Tensor.of(p, 2, 3);
        Tensor tt = Tensor.of(t, 2, 3);
        for (Reduction r : Reduction.values()) {
            assertValues(new MSELoss(r).forward(pt, tt), reduce(mse, r));
            assertValues(new L1Loss(r).forward(pt, tt), reduce(l1, r));
            assertValues(new HuberLoss(1.0, r).forward(pt, tt), reduce(huber, r));
            assertValues(new HuberLoss(0.5, r).forward(pt, tt), reduce(huberHalf, r));
        }
        assertValues(new MSELoss().forward(pt, tt), reduce(mse, Reduction.MEAN));
        assertValues(new HuberLoss().forward(pt, tt), reduce(huber, Reduction.MEAN));
        assertThrows(ShapeException.class, () -> new MSELoss().forward(pt, Tensor.zeros(3, 2)));
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(0, Reduction.MEAN));
    }

    // ------------------------------------------------------------------ BCE with logits

    private static double[] bce(double[] x, double[] y, double[] w, double[] pw, int classes) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double pos = pw == null ? 1 : pw[i % classes];
            // -[pw y log sigma(x) + (1 - y) log(1 - sigma(x))], with log sigma(x) = -softplus(-x), log(1 - sigma(x)) = -softplus(x)
            out[i] = (w == null ? 1 : w[i % classes]) * (pos * y[i] * softplus(-x[i]) + (1 - y[i]) * softplus(x[i]));
        }
        return out;
    }

    @Test
    void bceWithLogitsMatchesTheDefinition() {
        double[] x = NnReference.random(11, 2 * 3, -4, 4);
        double[] y = {1, 0, 0.3, 0, 1, 0.75};
        double[] w = {0.5, 1, 2};
        double[] pw = {3, 0.5, 1.5};
        Tensor xt = Tensor.of(x, 2, 3);
        Tensor yt = Tensor.of(y, 2, 3);
        for (Reduction r : Reduction.values()) {
            assertValues(new BCEWithLogitsLoss(null, null, r).forward(xt, yt), reduce(bce(x, y, null, null, 3), r));
            assertValues(new BCEWithLogitsLoss(Tensor.of(w), Tensor.of(pw), r).forward(xt, yt), reduce(bce(x, y, w, pw, 3), r));
            assertValues(new BCEWithLogitsLoss(null, Tensor.of(pw), r).forward(xt, yt), reduce(bce(x, y, null, pw, 3), r));
        }
        // hand-computed: x = 0 -> log 2 whatever the target
        assertValues(new BCEWithLogitsLoss().forward(Tensor.zeros(DType.FLOAT64, 2), Tensor.of(new double[]{0, 1})), Math.log(2));
    }

    @Test
    void bceWithLogitsStaysFiniteForLargeLogits() {
        Tensor x = Tensor.of(new float[]{100, -100, 100, -100, 1e4f, -1e4f});
        Tensor y = Tensor.of(new float[]{0, 1, 1, 0, 0, 1});
        Tensor loss = new BCEWithLogitsLoss(null, null, Reduction.NONE).forward(x, y);
        assertValuesWithin(loss, 1e-6, 1e-6, 100, 100, 0, 0, 1e4, 1e4);
        Tensor withPw = new BCEWithLogitsLoss(null, Tensor.of(new float[]{2}), Reduction.NONE).forward(x, y);
        assertValuesWithin(withPw, 1e-6, 1e-6, 100, 200, 0, 0, 1e4, 2e4);
        x.requiresGrad(true);
        new BCEWithLogitsLoss().forward(x, y).backward();
        for (double g : x.grad().toDoubleArray()) {
            assertTrue(Double.isFinite(g), "finite gradient, found " + g);
        }
        // d/dx = (sigmoid(x) - y) / n
        assertValuesWithin(x.grad(), 1e-5, 1e-7, 1 / 6.0, -1 / 6.0, 0, 0, 1 / 6.0, -1 / 6.0);
    }

    // ------------------------------------------------------------------ gradients

    @Test
    void crossEntropyGradients() {
        Tensor w = Tensor.of(new double[]{0.5, 2, 1, 1.5});
        Tensor t = Tensor.of(new long[]{3, -100, 0, 2, 1});
        GradCheck.assertGradients(in -> Functional.crossEntropy(in[0], t, null, IGNORE, Reduction.MEAN, 0), any(20, 5, 4));
        GradCheck.assertGradients(in -> Functional.crossEntropy(in[0], t, w, IGNORE, Reduction.MEAN, 0.1), any(21, 5, 4));
        GradCheck.assertGradients(in -> Functional.crossEntropy(in[0], t, w, IGNORE, Reduction.NONE, 0.1), any(22, 5, 4));
        GradCheck.assertGradients(in -> Functional.crossEntropy(in[0], t, null, IGNORE, Reduction.SUM, 0), any(23, 5, 4));
        Tensor kt = Tensor.of(new long[]{0, 2, 1, 1, -100, 2}, 2, 3);
        GradCheck.assertGradients(in -> Functional.crossEntropy(in[0], kt, null, IGNORE, Reduction.MEAN, 0.05),
                any(24, 2, 3, 3));
        Tensor probs = NnReference.f64(NnReference.random(25, 12, 0, 1), 3, 4);
        GradCheck.assertGradients(in -> Functional.crossEntropy(in[0], in[1], w, IGNORE, Reduction.MEAN, 0.1),
                any(26, 3, 4), probs);
        GradCheck.assertGradients(in -> Functional.nllLoss(in[0], t, w, IGNORE, Reduction.MEAN), any(27, 5, 4));
    }

    @Test
    void regressionAndBceGradients() {
        // differences kept away from 0 (L1) and from +-delta (Huber), where the losses have kinks
        double[] base = {0.3, -0.7, 1.6, -2.2, 0.9, -0.15};
        Tensor target = Tensor.zeros(DType.FLOAT64, 2, 3);
        Tensor input = Tensor.of(base, 2, 3);
        GradCheck.assertGradients(in -> Functional.mseLoss(in[0], in[1], Reduction.MEAN), input, any(30, 2, 3));
        GradCheck.assertGradients(in -> Functional.l1Loss(in[0], in[1], Reduction.SUM), input, target);
        GradCheck.assertGradients(in -> Functional.huberLoss(in[0], in[1], 1.0, Reduction.MEAN), input, target);
        GradCheck.assertGradients(in -> Functional.huberLoss(in[0], in[1], 0.5, Reduction.NONE), input, target);
        Tensor w = Tensor.of(new double[]{0.5, 1, 2});
        Tensor pw = Tensor.of(new double[]{3, 0.5, 1.5});
        GradCheck.assertGradients(in -> Functional.binaryCrossEntropyWithLogits(in[0], in[1], w, pw, Reduction.MEAN),
                any(31, 2, 3), NnReference.f64(NnReference.random(32, 6, 0, 1), 2, 3));
        GradCheck.assertGradients(in -> Functional.binaryCrossEntropyWithLogits(in[0], in[1], null, null, Reduction.SUM),
                any(33, 4), NnReference.f64(new double[]{0, 1, 1, 0}, 4));
    }
}
