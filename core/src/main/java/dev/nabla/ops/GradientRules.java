package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.Node;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Convolutions;
import dev.nabla.engine.FusedOps;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.ReduceOp;

import java.util.List;

/**
 * The gradient rule of every primitive, in one place. Each rule receives the gradient of the
 * node's output and returns one gradient per input ({@code null} for inputs that are not
 * differentiable, such as indices and conditions). Rules are written with ordinary tensor ops, so
 * they are themselves differentiable ({@code createGraph}). A rule may return a gradient of the
 * broadcast (output) shape: the engine sums it down to the input's shape.
 */
public final class GradientRules {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private GradientRules() {
    }

    /** Whether autograd records {@code op}; ops with boolean or index results are never recorded. */
    public static boolean isDifferentiable(Op op) {
        return switch (op) {
            case Op.Binary b -> !b.kind().isComparison() && !b.kind().isLogical();
            case Op.Dequantize d -> false;
            case Op.QuantizedLinear q -> false;
            case Op.BatchNormStats s -> false; // BatchNorm's training rule differentiates through the statistics
            case Op.Reduce r -> r.kind() != ReduceOp.ARGMAX && r.kind() != ReduceOp.ARGMIN;
            default -> true;
        };
    }

    public static Tensor[] backward(Node node, Tensor g) {
        Tensor x = node.input(0);
        return switch (node.op()) {
            case Op.Unary u -> new Tensor[]{unary(u, x, node.output(), g)};
            case Op.Binary b -> binary(b.kind(), x, node.input(1), node.output(), g);
            case Op.Where w -> {
                Tensor zero = zeroLike(g);
                yield new Tensor[]{null, Tensor.where(x, g, zero), Tensor.where(x, zero, g)};
            }
            case Op.Cast c -> new Tensor[]{x.dtype().isFloatingPoint() ? g.to(x.dtype()) : null};
            case Op.Reduce r -> new Tensor[]{reduce(r, x, node.output(), g)};
            case Op.MatMul m -> {
                Tensor b = node.input(1);
                // Each gradient is produced in its input's memory order (e.g. the transposed weight view
                // of a Linear layer), so the engine never has to copy it into that order.
                yield new Tensor[]{
                        !x.requiresGrad() ? null : isTransposed(x) ? transposedProduct(b, g.transpose(-1, -2))
                                : g.matmul(b.transpose(-1, -2)),
                        !b.requiresGrad() ? null : isTransposed(b) ? transposedProduct(g.transpose(-1, -2), x)
                                : x.transpose(-1, -2).matmul(g)};
            }
            case Op.Reshape r -> new Tensor[]{g.reshape(x.shape())};
            case Op.Permute p -> new Tensor[]{g.permute(inverse(p.dims()))};
            case Op.Expand e -> new Tensor[]{g}; // the engine sums over the expanded axes
            case Op.Slice s -> new Tensor[]{sliceBackward(s, x, g)};
            case Op.Contiguous c -> new Tensor[]{g};
            case Op.Cat c -> catBackward(c, node.inputs(), g);
            case Op.Pad p -> new Tensor[]{g.pad(negate(p.pads()), 0)};
            case Op.Gather ga -> new Tensor[]{Tensor.zerosLike(x).scatterAdd(ga.dim(), node.input(1), g), null};
            case Op.ScatterAdd s -> new Tensor[]{g, null,
                    node.input(2).requiresGrad() ? scatterAddSourceGrad(s.dim(), node.input(1), node.input(2), g) : null};
            case Op.IndexSelect s -> new Tensor[]{indexSelectBackward(s.dim(), x, node.input(1), g), null};
            case Op.Unfold u -> new Tensor[]{g.fold2d(u.geometry(), x.size(2), x.size(3))};
            case Op.Fold f -> new Tensor[]{g.unfold2d(f.geometry())};
            case Op.Conv2d c -> {
                // ReLU's gradient from the output: out > 0 exactly where the pre-activation was > 0
                Tensor gOut = c.activation() == FusedActivation.RELU ? reluGradient(node.output(), g) : g;
                Tensor w = node.input(1);
                Tensor gx = x.requiresGrad()
                        ? Convolutions.conv2dBackwardData(gOut, w, c.geometry(), c.groups(), x.size(2), x.size(3)) : null;
                if (c.bias() && w.requiresGrad() && node.input(2).requiresGrad()) {
                    Tensor[] fused = filterAndBiasGradients(x, gOut, c, w.size(0));
                    if (fused != null) {
                        yield new Tensor[]{gx, fused[0], fused[1]};
                    }
                }
                Tensor gw = w.requiresGrad()
                        ? Convolutions.conv2dBackwardFilter(x, gOut, c.geometry(), c.groups(), w.size(0)) : null;
                if (!c.bias()) {
                    yield new Tensor[]{gx, gw};
                }
                yield new Tensor[]{gx, gw, node.input(2).requiresGrad() ? gOut.sum(new int[]{0, 2, 3}, false) : null};
            }
            case Op.Linear l -> linearGradients(l, x, node.input(1), node.output(), g);
            case Op.Dequantize d -> throw new IllegalStateException("dequantize is never recorded for autograd");
            case Op.QuantizedLinear q -> throw new IllegalStateException("quantized_linear is never recorded for autograd");
            case Op.Conv2dBackwardData c -> {
                // output = dL/dx, linear in (gradOut, weight)
                Tensor w = node.input(1);
                yield new Tensor[]{
                        x.requiresGrad() ? Convolutions.conv2d(g, w, c.geometry(), c.groups()) : null,
                        w.requiresGrad() ? Convolutions.conv2dBackwardFilter(g, x, c.geometry(), c.groups(), w.size(0))
                                : null};
            }
            case Op.Conv2dBackwardFilter c -> {
                // output = dL/dw, linear in (input, gradOut)
                Tensor gradOut = node.input(1);
                yield new Tensor[]{
                        x.requiresGrad() ? Convolutions.conv2dBackwardData(gradOut, g, c.geometry(), c.groups(),
                                x.size(2), x.size(3)) : null,
                        gradOut.requiresGrad() ? Convolutions.conv2d(x, g, c.geometry(), c.groups()) : null};
            }
            case Op.MaxPool2d m -> new Tensor[]{Convolutions.maxPool2dBackward(g, x, m.geometry())};
            case Op.MaxPool2dBackward m -> new Tensor[]{
                    // linear in gradOut: the upstream gradient read back at each window's first maximum; the
                    // choice of positions is piecewise constant in the input, so that gets none
                    x.requiresGrad() ? Convolutions.maxPool2dAtMaxima(g, node.input(1), m.geometry()) : null, null};
            case Op.BatchNormStats s -> throw new IllegalStateException("batch_norm_stats is never recorded for autograd");
            case Op.BatchNorm b -> BatchNormGradients.of(b, node, g);
        };
    }

    /**
     * Gradients of {@code activation(x W^T + b)}: with {@code g'} the upstream gradient through the activation and
     * x, g' seen as matrices [M, K] and [M, O], {@code dx = g' W}, {@code dW = g'^T x} (in W's [O, K] layout) and
     * {@code db} the column sums of g'.
     */
    private static Tensor[] linearGradients(Op.Linear l, Tensor x, Tensor w, Tensor out, Tensor g) {
        Tensor gp = l.activation() == FusedActivation.RELU ? reluGradient(out, g) : g;
        int k = w.size(1);
        int o = w.size(0);
        Tensor g2 = gp.reshape(-1, o);
        Tensor gx = x.requiresGrad() ? g2.matmul(w).reshape(x.shape()) : null;
        Tensor gw = w.requiresGrad() ? g2.t().matmul(x.reshape(-1, k)) : null;
        if (!l.bias()) {
            return new Tensor[]{gx, gw};
        }
        return new Tensor[]{gx, gw, g2.sum(0)};
    }

    /** Gradient of scatterAdd's src: the output gradient at the index, zero where src was not used. */
    private static Tensor scatterAddSourceGrad(int dim, Tensor index, Tensor src, Tensor g) {
        Tensor picked = g.gather(dim, index);
        int rank = src.rank();
        int[] pads = new int[2 * rank];
        boolean padded = false;
        for (int d = 0; d < rank; d++) {
            pads[2 * (rank - 1 - d) + 1] = src.shape()[d] - index.shape()[d];
            padded |= pads[2 * (rank - 1 - d) + 1] != 0;
        }
        return padded ? picked.pad(pads, 0) : picked;
    }

    /**
     * Whether the rule of {@code op} reads the values of its saved tensors (not just their shapes).
     * Only then does an in-place change of an input between forward and backward invalidate it.
     */
    public static boolean usesSavedValues(Op op) {
        return switch (op) {
            case Op.Binary b -> b.kind() != BinaryOp.ADD && b.kind() != BinaryOp.SUB;
            case Op.Unary u -> u.kind() != dev.nabla.spi.UnaryOp.NEG;
            case Op.Reduce r -> r.kind() != ReduceOp.SUM;
            case Op.Cast c -> false;
            case Op.Reshape r -> false;
            case Op.Permute p -> false;
            case Op.Expand e -> false;
            case Op.Slice s -> false;
            case Op.Contiguous c -> false;
            case Op.Cat c -> false;
            case Op.Pad p -> false;
            case Op.Unfold u -> false;
            case Op.Fold f -> false;
            default -> true;
        };
    }

    /** True when the last two dimensions are stored column-major (a transposed view). */
    private static boolean isTransposed(Tensor t) {
        int[] strides = t.strides();
        int r = strides.length;
        return r >= 2 && strides[r - 2] == 1 && strides[r - 1] != 1 && t.shape()[r - 1] > 1;
    }

    private static Tensor zeroLike(Tensor g) {
        return Tensor.full(g.device(), g.dtype(), 0);
    }

    /**
     * {@code (a b)^T} as a view. With nothing recorded the product itself is closed at once, leaving the view
     * as the memory's only tensor, so autograd can keep it as a leaf's gradient without copying it.
     */
    private static Tensor transposedProduct(Tensor a, Tensor b) {
        Tensor product = a.matmul(b);
        Tensor view = product.transpose(-1, -2);
        if (!GradMode.isEnabled()) {
            product.close();
        }
        return view;
    }

    /**
     * A convolution's weight and bias gradients from one pass over {@code g}, when nothing is recorded and the
     * backend has such a pass; else null.
     */
    private static Tensor[] filterAndBiasGradients(Tensor x, Tensor g, Op.Conv2d c, int outChannels) {
        if (GradMode.isEnabled()) {
            return null;
        }
        return FusedOps.conv2dBackwardFilterAndBias(x, g, c.geometry(), c.groups(), outChannels);
    }

    /** One fused pass when nothing is recorded (no higher-order gradient wanted) and the backend has one. */
    private static Tensor reluGradient(Tensor x, Tensor g) {
        if (!GradMode.isEnabled()) {
            Tensor fused = FusedOps.reluBackward(g, x);
            if (fused != null) {
                return fused;
            }
        }
        return Tensor.where(x.gt(0), g, zeroLike(g));
    }

    private static Tensor unary(Op.Unary u, Tensor x, Tensor out, Tensor g) {
        return switch (u.kind()) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.sign());
            case SIGN, FLOOR, CEIL, ROUND -> Tensor.zerosLike(x); // piecewise constant
            case EXP -> g.mul(out);
            case EXPM1 -> g.mul(out.add(1));
            case LOG -> g.div(x);
            case LOG1P -> g.div(x.add(1));
            case SQRT -> g.div(out.mul(2));
            case RSQRT -> g.mul(out.mul(out).mul(out)).mul(-0.5);
            case RECIPROCAL -> g.mul(out.mul(out)).neg();
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case TANH -> g.mul(out.mul(out).rsub(1));
            case SIGMOID -> g.mul(out.mul(out.rsub(1)));
            case ERF -> g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI));
            case RELU -> reluGradient(x, g);
            case LEAKY_RELU -> Tensor.where(x.gt(0), g, g.mul(u.alpha()));
            case LOGICAL_NOT -> null;
        };
    }

    private static Tensor[] binary(BinaryOp kind, Tensor a, Tensor b, Tensor out, Tensor g) {
        boolean ga = a.requiresGrad();
        boolean gb = b.requiresGrad();
        return switch (kind) {
            case ADD -> new Tensor[]{g, g};
            case SUB -> new Tensor[]{g, gb ? g.neg() : null};
            case MUL -> new Tensor[]{ga ? g.mul(b) : null, gb ? g.mul(a) : null};
            case DIV -> new Tensor[]{ga ? g.div(b) : null, gb ? g.mul(out).div(b).neg() : null};
            case POW -> new Tensor[]{
                    ga ? g.mul(b).mul(a.pow(b.sub(1))) : null,
                    // d/db a^b = a^b log a; defined as 0 where a <= 0 (as PyTorch does at a = 0).
                    gb ? Tensor.where(a.gt(0), g.mul(out).mul(a.log()), zeroLike(g)) : null};
            case MAXIMUM, MINIMUM -> {
                // Ties share the gradient equally.
                DType t = g.dtype();
                Tensor half = a.eq(b).to(t).mul(0.5);
                Tensor aWins = (kind == BinaryOp.MAXIMUM ? a.gt(b) : a.lt(b)).to(t).add(half);
                Tensor bWins = (kind == BinaryOp.MAXIMUM ? b.gt(a) : b.lt(a)).to(t).add(half);
                yield new Tensor[]{ga ? g.mul(aWins) : null, gb ? g.mul(bWins) : null};
            }
            default -> throw new IllegalStateException(kind + " has no gradient");
        };
    }

    /** The output gradient with the reduced axes restored (size 1) and broadcast back to the input. */
    private static Tensor unreduce(Op.Reduce r, Tensor t, int[] inputShape) {
        int[] kept = inputShape.clone();
        for (int d : r.dims()) {
            kept[d] = 1;
        }
        return t.reshape(kept).expand(inputShape);
    }

    private static Tensor reduce(Op.Reduce r, Tensor x, Tensor out, Tensor g) {
        int[] shape = x.shape();
        Tensor gFull = unreduce(r, g, shape);
        return switch (r.kind()) {
            case SUM -> gFull;
            case PROD -> gFull.mul(prodOfOthers(r, x, out, shape));
            case MAX, MIN -> {
                Tensor mask = x.eq(unreduce(r, out, shape)).to(g.dtype());
                Tensor ties = mask.sum(r.dims(), true);
                yield gFull.mul(mask).div(ties);
            }
            case ARGMAX, ARGMIN -> throw new IllegalStateException(r.kind() + " has no gradient");
        };
    }

    /**
     * For each element, the product of the other elements of its reduction group: {@code out / x}
     * without zeros; with one zero, the product of the non-zeros at the zero and 0 elsewhere; with
     * more, 0 everywhere.
     */
    private static Tensor prodOfOthers(Op.Reduce r, Tensor x, Tensor out, int[] shape) {
        Tensor isZero = x.eq(0);
        Tensor one = Tensor.full(x.device(), x.dtype(), 1);
        Tensor safe = Tensor.where(isZero, one, x);
        Tensor zeros = unreduce(r, isZero.sum(r.dims(), true), shape);
        Tensor product = safe;
        for (int d : r.dims()) {
            product = product.prod(d, true);
        }
        Tensor nonZeroProduct = unreduce(r, product, shape);
        Tensor zero = Tensor.full(x.device(), x.dtype(), 0);
        Tensor withOneZero = Tensor.where(isZero, nonZeroProduct, zero);
        Tensor withNoZero = unreduce(r, out, shape).div(safe);
        return Tensor.where(zeros.eq(0), withNoZero, Tensor.where(zeros.eq(1), withOneZero, zero));
    }

    private static Tensor sliceBackward(Op.Slice s, Tensor x, Tensor g) {
        int d = s.dim();
        int count = g.shape()[d];
        int size = x.shape()[d];
        if (s.step() == 1) {
            int rank = x.rank();
            int[] pads = new int[2 * (rank - d)];
            pads[2 * (rank - 1 - d)] = s.start();
            pads[2 * (rank - 1 - d) + 1] = size - s.start() - count;
            return g.pad(pads, 0);
        }
        Tensor positions = Tensor.arange(s.start(), s.start() + (long) count * s.step(), s.step()).to(g.device());
        return indexSelectBackward(d, x, positions, g);
    }

    private static Tensor indexSelectBackward(int dim, Tensor src, Tensor index, Tensor g) {
        int[] shape = new int[g.rank()];
        java.util.Arrays.fill(shape, 1);
        shape[dim] = index.numel();
        Tensor expandedIndex = index.reshape(shape).expand(g.shape());
        return Tensor.zerosLike(src).scatterAdd(dim, expandedIndex, g);
    }

    private static Tensor[] catBackward(Op.Cat c, List<Tensor> inputs, Tensor g) {
        int[] sizes = new int[inputs.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = inputs.get(i).shape()[c.dim()];
        }
        return g.split(sizes, c.dim()).toArray(Tensor[]::new);
    }

    private static int[] inverse(int[] permutation) {
        int[] inv = new int[permutation.length];
        for (int i = 0; i < permutation.length; i++) {
            inv[permutation[i]] = i;
        }
        return inv;
    }

    private static int[] negate(int[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = -values[i];
        }
        return out;
    }
}
