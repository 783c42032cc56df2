package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Convolutions;
import dev.nabla.engine.Dense;
import dev.nabla.engine.Normalization;
import dev.nabla.engine.Windows;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.Conv2dGeometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stateless neural-network functions (PyTorch's {@code torch.nn.functional}); the layer classes call
 * these. Everything is composed from tensor primitives, so every backend runs it and autograd
 * differentiates it without extra rules.
 */
public final class Functional {
    private Functional() {
    }

    /** {@code input W^T + b} for input [..., in], weight [out, in] and bias [out] (or null): one linear op. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return Dense.linear(input, weight, bias);
    }

    /**
     * 2-D convolution (cross-correlation) of [N, C, H, W] with a [O, C/groups, kh, kw] weight, as
     * {@code torch.nn.functional.conv2d}: the kernel size is read from the weight, and each of stride, padding and
     * dilation is a (height, width) pair. Output size per axis: {@code floor((in + 2p - d(k-1) - 1) / s) + 1}.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Size2d stride, Size2d padding,
                                Size2d dilation, int groups) {
        if (weight.rank() != 4) {
            throw new ShapeException("conv2d: expected weight [O, C/groups, kh, kw], found " + Shapes.str(weight.shape()));
        }
        Size2d kernel = Size2d.of(weight.size(2), weight.size(3));
        return conv2d(input, weight, bias, WindowOptions.geometry("conv2d", kernel, stride, padding, dilation), groups);
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, Size2d, Size2d, Size2d, int)} with the same value for height and width. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        return conv2d(input, weight, bias, Size2d.of(stride), Size2d.of(padding), Size2d.of(dilation), groups);
    }

    /** Package-private: users pass {@link Size2d}s; the backend's geometry stays inside. */
    static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry geometry, int groups) {
        return Convolutions.conv2d(input, weight, bias, geometry, groups);
    }

    /** 1-D convolution of [N, C, L] with a [O, C/groups, k] weight. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        if (input.rank() != 3 || weight.rank() != 3) {
            throw new ShapeException("conv1d: expected input [N, C, L] and weight [O, C/groups, k], found "
                    + Shapes.str(input.shape()) + " and " + Shapes.str(weight.shape()));
        }
        Conv2dGeometry g = new Conv2dGeometry(1, weight.size(2), 1, stride, 0, padding, 1, dilation);
        return conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, g, groups).squeeze(2);
    }

    /** Max over each window; padding counts as negative infinity. */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding) {
        return maxPool2d(input, Size2d.of(kernel), Size2d.of(stride), Size2d.of(padding));
    }

    /** Max over non-overlapping {@code kernel} windows: the stride is the kernel size, as in PyTorch. */
    public static Tensor maxPool2d(Tensor input, Size2d kernel) {
        return maxPool2d(input, kernel, null, Size2d.of(0));
    }

    /** Max over each window; a null stride means the kernel size, as PyTorch's {@code stride=None}. */
    public static Tensor maxPool2d(Tensor input, Size2d kernel, Size2d stride, Size2d padding) {
        return maxPool2d(input, kernel, stride, padding, Size2d.of(1));
    }

    /**
     * Max over each (dilated) window of [N, C, H, W]; padding counts as negative infinity and must be at most half
     * the kernel on each axis; a null stride means the kernel size.
     */
    public static Tensor maxPool2d(Tensor input, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation) {
        return maxPool2d(input, kernel, stride, padding, dilation, false);
    }

    /**
     * {@link #maxPool2d(Tensor, Size2d, Size2d, Size2d, Size2d)} with PyTorch's {@code ceil_mode}: when true the
     * output size rounds up (see {@link Conv2dGeometry#outHeight(int, boolean)}), and the last window, clipped to
     * the input, takes the max of the cells it still covers.
     */
    public static Tensor maxPool2d(Tensor input, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation,
                                   boolean ceilMode) {
        Conv2dGeometry g = WindowOptions.pool("maxPool2d", kernel, stride == null ? kernel : stride, padding,
                dilation);
        if (!ceilMode) {
            return Convolutions.maxPool2d(input, g);
        }
        checkImage("maxPool2d", input);
        // The windows past the padded input see extra negative infinity on the far side: one ordinary max pooling.
        Tensor x = input.to(input.dtype().toFloating());
        return Convolutions.maxPool2d(farPadded("maxPool2d", x, g, Double.NEGATIVE_INFINITY), g);
    }

    /** Mean over each window; zero padding is counted (PyTorch's {@code count_include_pad=True}). */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding) {
        return avgPool2d(input, Size2d.of(kernel), Size2d.of(stride), Size2d.of(padding));
    }

    /** Mean over non-overlapping {@code kernel} windows: the stride is the kernel size, as in PyTorch. */
    public static Tensor avgPool2d(Tensor input, Size2d kernel) {
        return avgPool2d(input, kernel, null, Size2d.of(0));
    }

    /** Mean over each window of [N, C, H, W], zero padding counted; a null stride means the kernel size. */
    public static Tensor avgPool2d(Tensor input, Size2d kernel, Size2d stride, Size2d padding) {
        return avgPool2d(input, kernel, stride, padding, false, true);
    }

    /**
     * Mean over each window of [N, C, H, W] with PyTorch's {@code ceil_mode} and {@code count_include_pad}. With
     * ceilMode the output size rounds up (see {@link Conv2dGeometry#outHeight(int, boolean)}). A window's divisor
     * is, with countIncludePad, its cells inside the padded input (all kh*kw but for a last window that reaches
     * past the far padding), else its cells inside the input itself. Padding must be at most half the kernel size.
     */
    public static Tensor avgPool2d(Tensor input, Size2d kernel, Size2d stride, Size2d padding, boolean ceilMode,
                                   boolean countIncludePad) {
        checkImage("avgPool2d", input);
        Conv2dGeometry g = WindowOptions.pool("avgPool2d", kernel, stride == null ? kernel : stride, padding,
                Size2d.of(1));
        int h = input.size(2), w = input.size(3);
        int oh = g.outHeight(h, ceilMode), ow = g.outWidth(w, ceilMode);
        checkFits("avgPool2d", input, g, oh, ow);
        int[] rows = divisors(h, oh, g.kernelH(), g.strideH(), g.padH(), countIncludePad);
        int[] cols = divisors(w, ow, g.kernelW(), g.strideW(), g.padW(), countIncludePad);
        Tensor x = ceilMode ? farPadded("avgPool2d", input, g, 0) : input;
        if (Arrays.stream(rows).allMatch(d -> d == g.kernelH()) && Arrays.stream(cols).allMatch(d -> d == g.kernelW())) {
            return avgPool2d(x, g); // every window divides by kh*kw: the plain mean
        }
        double[] divisor = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                divisor[i * ow + j] = (double) rows[i] * cols[j];
            }
        }
        Tensor sums = poolWindows(x, g).sum(2).reshape(outShape(input, oh, ow));
        DType dtype = sums.dtype().toFloating();
        return sums.to(dtype).div(Tensor.of(divisor, 1, 1, oh, ow).to(dtype).to(input.device()));
    }

    /**
     * PyTorch's divisor for each of the {@code out} windows along one axis: the window clipped to the padded extent
     * [-pad, in + pad), or with {@code countIncludePad} false to the input [0, in).
     */
    private static int[] divisors(int in, int out, int kernel, int stride, int pad, boolean countIncludePad) {
        int[] d = new int[out];
        for (int i = 0; i < out; i++) {
            int start = i * stride - pad;
            int end = Math.min(start + kernel, in + pad);
            d[i] = countIncludePad ? end - start : Math.min(end, in) - Math.max(start, 0);
        }
        return d;
    }

    /**
     * {@code x} with {@code value} added after the last row and column so that the geometry's own (floor) windows
     * are the ceil-mode windows; itself when they already are.
     */
    private static Tensor farPadded(String op, Tensor x, Conv2dGeometry g, double value) {
        int h = x.size(2), w = x.size(3);
        int oh = g.outHeight(h, true), ow = g.outWidth(w, true);
        checkFits(op, x, g, oh, ow);
        int extraH = Math.max(0, (oh - 1) * g.strideH() + g.dilationH() * (g.kernelH() - 1) + 1 - (h + 2 * g.padH()));
        int extraW = Math.max(0, (ow - 1) * g.strideW() + g.dilationW() * (g.kernelW() - 1) + 1 - (w + 2 * g.padW()));
        return extraH == 0 && extraW == 0 ? x : x.pad(new int[]{0, extraW, 0, extraH}, value);
    }

    private static void checkFits(String op, Tensor x, Conv2dGeometry g, int oh, int ow) {
        if (oh <= 0 || ow <= 0) {
            throw new ShapeException(op + ": a " + g.kernelH() + "x" + g.kernelW() + " window (dilation "
                    + g.dilationH() + "x" + g.dilationW() + ", padding " + g.padH() + "x" + g.padW()
                    + ") does not fit an input of " + x.size(2) + "x" + x.size(3));
        }
    }

    private static Tensor avgPool2d(Tensor input, Conv2dGeometry g) {
        return poolWindows(input, g).mean(2).reshape(outShape(input, g.outHeight(input.size(2)),
                g.outWidth(input.size(3))));
    }

    /** Averages into an {@code outH x outW} grid whatever the input size (PyTorch's bin boundaries). */
    public static Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        checkImage("adaptiveAvgPool2d", input);
        int h = input.size(2), w = input.size(3);
        if (h % outH == 0 && w % outW == 0) {
            int kh = h / outH, kw = w / outW;
            return avgPool2d(input, new Conv2dGeometry(kh, kw, kh, kw, 0, 0, 1, 1));
        }
        List<Tensor> rows = new ArrayList<>(outH);
        for (int i = 0; i < outH; i++) {
            int h0 = Math.floorDiv(i * h, outH), h1 = -Math.floorDiv(-(i + 1) * h, outH);
            List<Tensor> cells = new ArrayList<>(outW);
            for (int j = 0; j < outW; j++) {
                int w0 = Math.floorDiv(j * w, outW), w1 = -Math.floorDiv(-(j + 1) * w, outW);
                cells.add(input.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).mean(new int[]{2, 3}, true));
            }
            rows.add(Tensor.cat(cells, 3));
        }
        return Tensor.cat(rows, 2);
    }

    /** Windows of a [N, C, H, W] tensor as [N, C, kh*kw, L]. */
    private static Tensor poolWindows(Tensor x, Conv2dGeometry g) {
        int n = x.size(0), c = x.size(1);
        Tensor cols = x.unfold2d(g);
        return cols.reshape(n, c, g.kernelArea(), cols.size(2));
    }

    private static int[] outShape(Tensor input, int oh, int ow) {
        return new int[]{input.size(0), input.size(1), oh, ow};
    }

    private static void checkImage(String op, Tensor input) {
        if (input.rank() != 4) {
            throw new ShapeException(op + ": expected [N, C, H, W], found " + Shapes.str(input.shape()));
        }
    }

    /**
     * Batch normalization over every dimension but the channels (dim 1), as PyTorch's {@code F.batch_norm}. In
     * training it normalizes with the batch statistics and updates the running ones in place (when given);
     * otherwise it uses the running ones, or the batch statistics when there are none. {@code weight} and
     * {@code bias} may be null (no scale, no shift). Runs as the fused {@link Normalization} primitives: one pass
     * for the statistics, one for the output, two for the gradients.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        Normalization.checkInput("batchNorm", input);
        int c = input.size(1);
        for (Tensor t : new Tensor[]{runningMean, runningVar, weight, bias}) {
            if (t != null) {
                Normalization.checkChannels("batchNorm", input, t);
            }
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batchNorm: give both running statistics or neither");
        }
        DType dtype = input.dtype().toFloating();
        Tensor w = weight != null ? weight : Tensor.full(input.device(), dtype, 1, c);
        Tensor b = bias != null ? bias : Tensor.full(input.device(), dtype, 0, c);
        if (!training && runningMean != null) {
            return Normalization.batchNorm(input, runningMean, runningVar, w, b, eps, false);
        }
        long count = input.numel() / Math.max(c, 1);
        if (training && count <= 1) {
            throw new ShapeException("batchNorm: expected more than one value per channel in training, found input "
                    + Shapes.str(input.shape()));
        }
        Tensor stats = Normalization.batchNormStats(input);
        Tensor mean = stats.select(0, 0);
        Tensor var = stats.select(0, 1);
        if (training && runningMean != null) {
            try (var off = GradMode.noGrad()) {
                // PyTorch's update: the running variance takes the unbiased batch variance
                runningMean.mulInPlace(1 - momentum).addInPlace(mean, momentum);
                runningVar.mulInPlace(1 - momentum).addInPlace(var.mul(count / (double) (count - 1)), momentum);
            }
        }
        return Normalization.batchNorm(input, mean, var, w, b, eps, true);
    }

    /**
     * Normalizes over the trailing {@code normalizedShape} dimensions, which {@code input} must end in,
     * then applies the elementwise {@code weight} and {@code bias} (each null or of exactly
     * {@code normalizedShape}), as PyTorch's {@code F.layer_norm(input, normalized_shape, weight, bias, eps)}.
     */
    public static Tensor layerNorm(Tensor input, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        checkLayerNormShapes(input, normalizedShape, weight, bias);
        int k = normalizedShape.length;
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) {
            dims[i] = input.rank() - k + i;
        }
        Tensor mean = input.mean(dims, true);
        Tensor var = input.var(dims, 0, true);
        Tensor out = input.sub(mean).mul(var.add(eps).rsqrt());
        if (weight != null) {
            out = out.mul(weight);
        }
        return bias == null ? out : out.add(bias);
    }

    // Broadcasting would accept a weight of [1] or of a shorter shape and silently compute something else.
    private static void checkLayerNormShapes(Tensor input, int[] normalizedShape, Tensor weight, Tensor bias) {
        String expected = Shapes.str(normalizedShape);
        if (normalizedShape.length == 0) {
            throw new ShapeException("layerNorm: expected a normalized shape of at least one dimension, found []");
        }
        int[] s = input.shape();
        int k = normalizedShape.length;
        if (s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length),
                normalizedShape)) {
            throw new ShapeException("layerNorm: expected an input of shape [*, " + expected.substring(1)
                    + " (normalized shape " + expected + "), found " + Shapes.str(s));
        }
        if (weight != null && !Arrays.equals(weight.shape(), normalizedShape)) {
            throw new ShapeException("layerNorm: expected a weight of the normalized shape " + expected + ", found "
                    + Shapes.str(weight.shape()));
        }
        if (bias != null && !Arrays.equals(bias.shape(), normalizedShape)) {
            throw new ShapeException("layerNorm: expected a bias of the normalized shape " + expected + ", found "
                    + Shapes.str(bias.shape()));
        }
    }

    /** Zeroes each element with probability {@code p} in training and scales the rest by {@code 1/(1-p)}. */
    public static Tensor dropout(Tensor input, double p, boolean training) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1], found " + p);
        }
        if (!training || p == 0) {
            return input;
        }
        if (p == 1) {
            return input.mul(0.0);
        }
        // The mask is made on the input's device: kept (1) with probability 1 - p.
        DType maskType = input.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
        Tensor keep = Tensor.bernoulli(Nabla.generator(), input.device(), maskType, 1 - p, input.shape());
        if (maskType != input.dtype()) {
            keep = keep.to(input.dtype());
        }
        return input.mul(keep.mul(1 / (1 - p)));
    }

    /** Rows of {@code weight} [numEmbeddings, dim] picked by integer {@code indices} of any shape. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        int[] shape = java.util.Arrays.copyOf(indices.shape(), indices.rank() + 1);
        shape[indices.rank()] = weight.size(1);
        return weight.indexSelect(0, indices.reshape(-1)).reshape(shape);
    }

    /**
     * {@code softmax(q k^T / sqrt(d) + mask) v} over the last two dimensions. {@code mask} may be
     * null, BOOL (true = may attend, as PyTorch's {@code scaled_dot_product_attention}) or additive floats.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal,
                                                   double dropoutP, boolean training) {
        int d = q.size(-1);
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(d));
        if (causal) {
            int lq = q.size(-2), lk = k.size(-2);
            Tensor rows = Tensor.arange(lq).to(q.device()).unsqueeze(1);
            Tensor cols = Tensor.arange(lk).to(q.device()).unsqueeze(0);
            scores = scores.maskedFill(cols.gt(rows), Double.NEGATIVE_INFINITY);
        }
        if (mask != null) {
            scores = mask.dtype() == DType.BOOL ? scores.maskedFill(mask.logicalNot(), Double.NEGATIVE_INFINITY)
                    : scores.add(mask);
        }
        Tensor weights = dropout(scores.softmax(-1), dropoutP, training);
        return weights.matmul(v);
    }

    // ------------------------------------------------------------------ losses

    private static Tensor reduce(Tensor perElement, Reduction reduction) {
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.mean();
        };
    }

    /**
     * Cross entropy of logits [N, C] (or [N, C, d1, ...]) against class indices [N] ([N, d1, ...]) or
     * class probabilities of the logits' shape, with optional class weights, an ignored index and
     * label smoothing, as {@code torch.nn.functional.cross_entropy}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor classWeights, int ignoreIndex,
                                      Reduction reduction, double labelSmoothing) {
        if (logits.rank() < 1) {
            throw new ShapeException("crossEntropy: logits need a class dimension, found " + Shapes.str(logits.shape()));
        }
        int classDim = logits.rank() == 1 ? 0 : 1;
        Tensor logp = logits.logSoftmax(classDim);
        if (target.dtype().isFloatingPoint()) {
            return softTargetCrossEntropy(logp, target, classWeights, classDim, reduction, labelSmoothing);
        }
        ClassTargets targets = classTargets("crossEntropy", logp, target, classWeights, ignoreIndex);
        Tensor nll = nll(logp, targets, classDim, reduction);
        if (labelSmoothing <= 0) {
            return nll;
        }
        int classes = logits.size(classDim);
        Tensor weighted = classWeights == null ? logp : logp.mul(channelView(classWeights, logp.rank(), classDim));
        Tensor smooth = weighted.sum(classDim).neg().mul(targets.valid());
        Tensor smoothReduced = switch (reduction) {
            case NONE -> smooth;
            case SUM -> smooth.sum();
            case MEAN -> smooth.sum().div(targets.weights().sum());
        };
        return nll.mul(1 - labelSmoothing).add(smoothReduced.mul(labelSmoothing / classes));
    }

    private static Tensor softTargetCrossEntropy(Tensor logp, Tensor target, Tensor classWeights, int classDim,
                                                 Reduction reduction, double labelSmoothing) {
        if (!Arrays.equals(logp.shape(), target.shape())) {
            throw new ShapeException("crossEntropy: probability targets must have the logits' shape "
                    + Shapes.str(logp.shape()) + ", found " + Shapes.str(target.shape()));
        }
        int classes = logp.size(classDim);
        Tensor t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
        Tensor terms = logp.mul(t);
        if (classWeights != null) {
            terms = terms.mul(channelView(classWeights, logp.rank(), classDim));
        }
        Tensor perElement = terms.sum(classDim).neg();
        return reduce(perElement, reduction);
    }

    /** Negative log-likelihood of log-probabilities [N, C, ...] at class indices [N, ...]. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor classWeights, int ignoreIndex,
                                 Reduction reduction) {
        int classDim = logProbs.rank() == 1 ? 0 : 1;
        return nll(logProbs, classTargets("nllLoss", logProbs, target, classWeights, ignoreIndex), classDim, reduction);
    }

    private static Tensor nll(Tensor logProbs, ClassTargets targets, int classDim, Reduction reduction) {
        Tensor picked = logProbs.gather(classDim, targets.safe().unsqueeze(classDim)).squeeze(classDim).neg();
        Tensor perElement = picked.mul(targets.weights());
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.sum().div(targets.weights().sum());
        };
    }

    /**
     * Class-index targets checked once per loss: {@code safe} has ignored entries replaced by class 0,
     * {@code valid} is 1 where a target counts, {@code weights} is its class weight (or 1) times valid.
     */
    private record ClassTargets(Tensor safe, Tensor valid, Tensor weights) {
    }

    private static ClassTargets classTargets(String op, Tensor logProbs, Tensor target, Tensor classWeights,
                                             int ignoreIndex) {
        if (!target.dtype().isIntegral()) {
            throw new ShapeException(op + ": target must hold class indices (INT64/INT32), found " + target.dtype());
        }
        int classDim = logProbs.rank() == 1 ? 0 : 1;
        int[] expected = removeDim(logProbs.shape(), classDim);
        if (!Arrays.equals(expected, target.shape())) {
            throw new ShapeException(op + ": target shape " + Shapes.str(target.shape()) + " does not match input "
                    + Shapes.str(logProbs.shape()) + " (expected " + Shapes.str(expected) + ")");
        }
        Tensor isValid = target.ne(ignoreIndex);
        Tensor safe = target.to(DType.INT64).maskedFill(isValid.logicalNot(), 0);
        int classes = logProbs.size(classDim);
        // Reading the range is free on the CPU; on a device that queues work it would stall every training step, so
        // there the gather below reports a bad index (at the next read) instead.
        if (safe.numel() > 0 && Nabla.isSynchronous(safe.device())) {
            long min = safe.min().itemLong();
            long max = safe.max().itemLong();
            if (min < 0 || max >= classes) {
                throw new IllegalArgumentException(op + ": target values must lie in [0, " + classes
                        + ") or equal ignoreIndex " + ignoreIndex + ", found values from " + min + " to " + max);
            }
        }
        Tensor valid = isValid.to(logProbs.dtype());
        Tensor weights = classWeights == null ? valid
                : classWeights.to(logProbs.dtype()).indexSelect(0, safe.reshape(-1)).reshape(target.shape()).mul(valid);
        return new ClassTargets(safe, valid, weights);
    }

    private static Tensor channelView(Tensor perClass, int rank, int classDim) {
        int[] shape = new int[rank];
        java.util.Arrays.fill(shape, 1);
        shape[classDim] = perClass.numel();
        return perClass.reshape(shape);
    }

    private static int[] removeDim(int[] shape, int dim) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != dim) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    private static void checkSameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new ShapeException(op + ": input " + Shapes.str(input.shape()) + " and target "
                    + Shapes.str(target.shape()) + " must have the same shape");
        }
    }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("mseLoss", input, target);
        return reduce(input.sub(target).square(), reduction);
    }

    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("l1Loss", input, target);
        return reduce(input.sub(target).abs(), reduction);
    }

    /** Quadratic below {@code delta}, linear above (PyTorch's HuberLoss). */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta, Reduction reduction) {
        checkSameShape("huberLoss", input, target);
        Tensor diff = input.sub(target);
        Tensor abs = diff.abs();
        Tensor quadratic = diff.square().mul(0.5);
        Tensor linear = abs.sub(0.5 * delta).mul(delta);
        return reduce(Tensor.where(abs.lt(delta), quadratic, linear), reduction);
    }

    /**
     * Binary cross entropy on logits, computed stably as
     * {@code (1 - y) x + (1 + (pw - 1) y) (log1p(exp(-|x|)) + max(-x, 0))}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight,
                                                      Reduction reduction) {
        checkSameShape("binaryCrossEntropyWithLogits", logits, target);
        Tensor y = target.to(logits.dtype());
        Tensor softplusNeg = logits.abs().neg().exp().log1p().add(logits.neg().relu());
        Tensor coefficient = posWeight == null ? null : y.mul(posWeight.sub(1)).add(1);
        Tensor loss = y.rsub(1).mul(logits).add(coefficient == null ? softplusNeg : softplusNeg.mul(coefficient));
        if (weight != null) {
            loss = loss.mul(weight);
        }
        return reduce(loss, reduction);
    }
}
