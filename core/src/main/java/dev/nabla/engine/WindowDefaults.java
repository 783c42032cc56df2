package dev.nabla.engine;

import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.spi.Backend;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FastPath;
import dev.nabla.spi.FusedActivation;

/**
 * Forward rules of the convolution and pooling primitives: the backend's fast path if it has one for the dtype
 * (asked before anything is allocated for it) and takes the call, else core's default computed from unfold/fold and
 * matmul. The defaults run through the ordinary ops with autograd and tracing off, so they appear as one node, not
 * as their parts. The fast-path helpers ({@link #fast}, {@link #output}, {@link #composed}) serve the forward rules
 * of {@link Dense} and {@link Normalization} too.
 */
public final class WindowDefaults {
    private WindowDefaults() {
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dGeometry g, int groups, FusedActivation activation,
                         Tensor into) {
        int n = x.size(0), o = w.size(0), oh = g.outHeight(x.size(2)), ow = g.outWidth(x.size(3));
        return Dispatcher.decomposed(() -> {
            Tensor xc = x.contiguous();
            Tensor wc = w.contiguous();
            Tensor bc = bias == null ? null : bias.contiguous();
            Op op = new Op.Conv2d(g, groups, bias != null, activation);
            Backend backend = Tensors.backend(x);
            boolean fast = fast(x, FastPath.CONV2D);
            Tensor out = output(into, x, new int[]{n, o, oh, ow}, op, fast);
            if (fast && backend.conv2d(xc.operand(), wc.operand(), bc == null ? null : bc.operand(), g, groups,
                    activation, out.operand())) {
                return out;
            }
            return composed(Dense.activate(composedConv2d(xc, wc, bc, g, groups, n, o, oh, ow), activation), out, into);
        });
    }

    /**
     * Where a forward rule writes: {@code into} when given (checked), else new memory if the backend has the rule's
     * fast path for x's dtype ({@code fast}, from {@link #fast}), else null (the composed result will be returned as
     * it is).
     */
    static Tensor output(Tensor into, Tensor x, int[] shape, Op op, boolean fast) {
        return into != null || fast ? Forward.output(into, x, x.dtype(), shape, op) : null;
    }

    /** Whether x's backend has {@code path} for x's dtype. */
    static boolean fast(Tensor x, FastPath path) {
        return Tensors.backend(x).supports(path, x.dtype());
    }

    /** New memory for a backward op's result if the backend has {@code path} for the dtype, else null. */
    static Tensor gradientOutput(Tensor like, FastPath path, int... shape) {
        return Tensors.backend(like).supports(path, like.dtype()) ? Tensors.empty(like.device(), like.dtype(), shape) : null;
    }

    /**
     * A result computed from the ordinary ops, moved to where the caller wanted it: copied into {@code into} when
     * one was given, else returned as it is (and {@code out}, memory the declined fast path did not use, freed).
     */
    static Tensor composed(Tensor result, Tensor out, Tensor into) {
        if (into == null) {
            if (out != null) {
                out.close();
            }
            return result;
        }
        Tensors.backend(result).copy(result.operand(), into.operand());
        return into;
    }

    private static Tensor composedConv2d(Tensor xc, Tensor wc, Tensor bc, Conv2dGeometry g, int groups, int n, int o,
                                         int oh, int ow) {
        Tensor cols = xc.unfold2d(g);                                   // [N, C*kh*kw, L]
        int k = wc.size(1) * g.kernelArea();
        Tensor product = groups == 1
                ? wc.reshape(o, k).matmul(cols)                          // [N, O, L]
                : wc.reshape(groups, o / groups, k).matmul(cols.reshape(n, groups, k, oh * ow));
        Tensor result = product.reshape(n, o, oh, ow);
        return bc == null ? result : result.add(bc.reshape(1, o, 1, 1));
    }

    static Tensor conv2dBackwardData(Tensor gradOut, Tensor w, Conv2dGeometry g, int groups, int h, int wd) {
        int n = gradOut.size(0), o = w.size(0), cg = w.size(1), l = gradOut.size(2) * gradOut.size(3);
        return Dispatcher.decomposed(() -> {
            Tensor gc = gradOut.contiguous();
            Tensor wc = w.contiguous();
            Tensor gradIn = gradientOutput(gradOut, FastPath.CONV2D_BACKWARD_DATA, n, cg * groups, h, wd);
            if (gradIn != null) {
                if (Tensors.backend(gradOut).conv2dBackwardData(gc.operand(), wc.operand(), g, groups, gradIn.operand())) {
                    return gradIn;
                }
                gradIn.close();
            }
            int k = cg * g.kernelArea();
            Tensor cols = groups == 1
                    ? wc.reshape(o, k).t().matmul(gc.reshape(n, o, l))                                   // [N, K, L]
                    : wc.reshape(groups, o / groups, k).transpose(-1, -2).matmul(gc.reshape(n, groups, o / groups, l))
                    .reshape(n, groups * k, l);
            return cols.fold2d(g, h, wd);
        });
    }

    static Tensor conv2dBackwardFilter(Tensor x, Tensor gradOut, Conv2dGeometry g, int groups, int o) {
        int n = x.size(0), c = x.size(1), cg = c / groups, l = gradOut.size(2) * gradOut.size(3);
        return Dispatcher.decomposed(() -> {
            Tensor xc = x.contiguous();
            Tensor gc = gradOut.contiguous();
            Tensor gradW = gradientOutput(x, FastPath.CONV2D_BACKWARD_FILTER, o, cg, g.kernelH(), g.kernelW());
            if (gradW != null) {
                if (Tensors.backend(x).conv2dBackwardFilter(xc.operand(), gc.operand(), g, groups, gradW.operand())) {
                    return gradW;
                }
                gradW.close();
            }
            int k = cg * g.kernelArea();
            Tensor cols = xc.unfold2d(g);                                                   // [N, C*kh*kw, L]
            Tensor perImage = groups == 1
                    ? gc.reshape(n, o, l).matmul(cols.transpose(1, 2))                     // [N, O, K]
                    : gc.reshape(n, groups, o / groups, l).matmul(cols.reshape(n, groups, k, l).transpose(-1, -2));
            return perImage.sum(0).reshape(o, cg, g.kernelH(), g.kernelW());
        });
    }

    static Tensor maxPool2d(Tensor x, Conv2dGeometry g, Tensor into) {
        int n = x.size(0), c = x.size(1), oh = g.outHeight(x.size(2)), ow = g.outWidth(x.size(3));
        return Dispatcher.decomposed(() -> {
            Tensor xc = x.contiguous();
            boolean fast = fast(x, FastPath.MAX_POOL2D);
            Tensor out = output(into, x, new int[]{n, c, oh, ow}, new Op.MaxPool2d(g), fast);
            if (fast && Tensors.backend(x).maxPool2d(xc.operand(), g, out.operand())) {
                return out;
            }
            return composed(windows(xc, g, Double.NEGATIVE_INFINITY).amax(new int[]{2}, false).reshape(n, c, oh, ow),
                    out, into);
        });
    }

    static Tensor maxPool2dBackward(Tensor gradOut, Tensor x, Conv2dGeometry g) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        return Dispatcher.decomposed(() -> {
            Tensor gc = gradOut.contiguous();
            Tensor xc = x.contiguous();
            Tensor gradIn = gradientOutput(x, FastPath.MAX_POOL2D_BACKWARD, n, c, h, w);
            if (gradIn != null) {
                if (Tensors.backend(x).maxPool2dBackward(gc.operand(), xc.operand(), g, gradIn.operand())) {
                    return gradIn;
                }
                gradIn.close();
            }
            Tensor cols = windows(xc, g, Double.NEGATIVE_INFINITY);           // [N, C, kh*kw, L]
            int l = cols.size(3);
            Tensor first = cols.argmax(2, true);                              // first maximum of each window
            Tensor scattered = Tensor.full(x.device(), x.dtype(), 0, cols.shape())
                    .scatterAdd(2, first, gc.reshape(n, c, 1, l));
            Conv2dGeometry unpadded = unpadded(g);
            int hp = h + 2 * g.padH(), wp = w + 2 * g.padW();
            Tensor padded = scattered.reshape(n, c * g.kernelArea(), l).fold2d(unpadded, hp, wp);
            return padded.narrow(2, g.padH(), h).narrow(3, g.padW(), w).contiguous();
        });
    }

    /**
     * {@code values} [N, C, H, W] read at the first maximum of each pooling window of {@code input}, where the
     * backward rule sends each window's gradient. Ordinary recorded ops, so it is differentiable in
     * {@code values}.
     */
    static Tensor atWindowMaxima(Tensor values, Tensor input, Conv2dGeometry g) {
        int n = input.size(0), c = input.size(1);
        Tensor first = windows(input, g, Double.NEGATIVE_INFINITY).argmax(2, true);
        Tensor picked = windows(values, g, 0).gather(2, first);
        return picked.reshape(n, c, g.outHeight(input.size(2)), g.outWidth(input.size(3)));
    }

    /** Windows of x as [N, C, kh*kw, L], padding with {@code padValue}. */
    private static Tensor windows(Tensor x, Conv2dGeometry g, double padValue) {
        int n = x.size(0), c = x.size(1);
        Tensor padded = g.padH() == 0 && g.padW() == 0 ? x
                : x.pad(new int[]{g.padW(), g.padW(), g.padH(), g.padH()}, padValue);
        Tensor cols = padded.unfold2d(unpadded(g));
        return cols.reshape(n, c, g.kernelArea(), cols.size(2));
    }

    private static Conv2dGeometry unpadded(Conv2dGeometry g) {
        return new Conv2dGeometry(g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), 0, 0, g.dilationH(),
                g.dilationW());
    }
}
