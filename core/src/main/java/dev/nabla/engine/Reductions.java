package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.ReduceOp;

/** Reductions and the composites built on them (mean, var, logsumexp, norms, softmax). */
public final class Reductions {
    private Reductions() {
    }

    public static Tensor reduce(ReduceOp kind, Tensor x, int[] dims, boolean keepDim) {
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        int[] wrapped = Shapes.wrapDims(name, dims, x.rank());
        Tensor input = x;
        if ((kind == ReduceOp.SUM || kind == ReduceOp.PROD) && !x.dtype().isFloatingPoint()) {
            input = x.to(DType.INT64); // integer sums widen to INT64, as in PyTorch
        } else if (x.dtype() == DType.BOOL) {
            input = x.to(DType.INT64);
        }
        return Dispatcher.apply(new Op.Reduce(kind, wrapped, keepDim), input);
    }

    public static Tensor argReduce(ReduceOp kind, Tensor x, int dim, boolean keepDim) {
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (x.rank() == 0) {
            Shapes.wrapDim(name, dim, 0);
            return Tensor.full(x.device(), DType.INT64, 0);
        }
        int d = Shapes.wrapDim(name, dim, x.rank());
        Tensor input = x.dtype() == DType.BOOL ? x.to(DType.INT64) : x;
        return Dispatcher.apply(new Op.Reduce(kind, new int[]{d}, keepDim), input);
    }

    /** Values at the arg-reduction's indices, so the gradient flows to exactly the chosen elements. */
    public static Tensor.ValuesIndices valuesAndIndices(ReduceOp argKind, Tensor x, int dim, boolean keepDim) {
        if (x.rank() == 0) {
            return new Tensor.ValuesIndices(x, argReduce(argKind, x, dim, keepDim));
        }
        int d = Shapes.wrapDim(argKind.name().toLowerCase(java.util.Locale.ROOT), dim, x.rank());
        Tensor indices = argReduce(argKind, x, d, true);
        Tensor values = x.gather(d, indices);
        return keepDim ? new Tensor.ValuesIndices(values, indices)
                : new Tensor.ValuesIndices(values.squeeze(d), indices.squeeze(d));
    }

    private static int count(Tensor x, int[] wrappedDims) {
        int n = 1;
        for (int d : wrappedDims) {
            n *= x.layout().shape()[d];
        }
        return n;
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        int[] wrapped = Shapes.wrapDims("mean", dims, x.rank());
        Tensor f = Elementwise.floating(x);
        return reduce(ReduceOp.SUM, f, wrapped, keepDim).div(count(x, wrapped));
    }

    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        int[] wrapped = Shapes.wrapDims("var", dims, x.rank());
        Tensor f = Elementwise.floating(x);
        Tensor centered = f.sub(mean(f, wrapped, true));
        double divisor = Math.max(0, count(x, wrapped) - correction);
        return reduce(ReduceOp.SUM, centered.mul(centered), wrapped, keepDim).div(divisor);
    }

    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepDim) {
        int[] wrapped = Shapes.wrapDims("logsumexp", dims, x.rank());
        Tensor f = Elementwise.floating(x);
        // Shift by the (detached) maximum; any shift gives the same value and gradient, this one avoids overflow.
        Tensor shift = f.amax(wrapped, true).detach();
        shift = shift.maskedFill(shift.abs().eq(Double.POSITIVE_INFINITY), 0);
        Tensor result = f.sub(shift).exp().sum(wrapped, true).log().add(shift);
        return keepDim ? result : result.reshape(Forward.removeDims(result.layout().shape(), wrapped));
    }

    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepDim) {
        Tensor f = Elementwise.floating(x);
        if (p == 2) {
            return rootWithZeroGradientAtZero(f.mul(f).sum(dims, keepDim), 0.5);
        } else if (p == 1) {
            return f.abs().sum(dims, keepDim);
        } else if (p == Double.POSITIVE_INFINITY) {
            return f.abs().amax(dims, keepDim);
        } else if (p == Double.NEGATIVE_INFINITY) {
            return f.abs().amin(dims, keepDim);
        } else if (p == 0) {
            return f.ne(0).to(f.dtype()).sum(dims, keepDim);
        }
        return rootWithZeroGradientAtZero(f.abs().pow(p).sum(dims, keepDim), 1 / p);
    }

    /**
     * {@code s^exponent} whose gradient is 0 where {@code s == 0} (as PyTorch defines the norm's
     * gradient at the zero vector), instead of the infinity-times-zero NaN of the plain root.
     */
    private static Tensor rootWithZeroGradientAtZero(Tensor s, double exponent) {
        Tensor isZero = s.eq(0);
        Tensor safe = Tensor.where(isZero, Tensor.full(s.device(), s.dtype(), 1), s);
        Tensor root = exponent == 0.5 ? safe.sqrt() : safe.pow(exponent);
        return Tensor.where(isZero, Tensor.full(s.device(), s.dtype(), 0), root);
    }

    public static Tensor softmax(Tensor x, int dim) {
        Tensor f = Elementwise.floating(x);
        if (f.rank() == 0) {
            return Tensor.onesLike(f).add(f.mul(0));
        }
        int d = Shapes.wrapDim("softmax", dim, f.rank());
        Tensor shifted = f.sub(f.amax(new int[]{d}, true).detach());
        Tensor e = shifted.exp();
        return e.div(e.sum(new int[]{d}, true));
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        Tensor f = Elementwise.floating(x);
        if (f.rank() == 0) {
            return f.sub(f);
        }
        int d = Shapes.wrapDim("logSoftmax", dim, f.rank());
        return f.sub(logsumexp(f, new int[]{d}, true));
    }
}
