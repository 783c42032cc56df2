package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.Conv2dGeometry;

import java.util.Arrays;

/**
 * Checks an op record's attributes against its inputs before {@link Ops#run} dispatches it. The {@link Tensor}
 * methods build only valid records; a record that comes from elsewhere (a graph read from a file) is checked
 * here for everything the forward rules take for granted: ranks, dimension indices, sizes and input counts.
 */
public final class OpChecks {
    private OpChecks() {
    }

    static void check(Op op, Tensor[] in) {
        String name = op.name();
        requireInputs(name, in, switch (op) {
            case Op.Unary u -> 1;
            case Op.Binary b -> 2;
            case Op.Where w -> 3;
            case Op.Cast c -> 1;
            case Op.Reduce r -> 1;
            case Op.MatMul m -> 2;
            case Op.Reshape r -> 1;
            case Op.Permute p -> 1;
            case Op.Expand e -> 1;
            case Op.Slice s -> 1;
            case Op.Contiguous c -> 1;
            case Op.Cat c -> -1;
            case Op.Pad p -> 1;
            case Op.Gather g -> 2;
            case Op.ScatterAdd s -> 3;
            case Op.IndexSelect s -> 2;
            case Op.Unfold u -> 1;
            case Op.Fold f -> 1;
            case Op.Conv2d c -> c.bias() ? 3 : 2;
            case Op.Linear l -> l.bias() ? 3 : 2;
            case Op.Dequantize d -> 2;
            case Op.QuantizedLinear q -> q.bias() ? 5 : 4;
            case Op.Conv2dBackwardData c -> 2;
            case Op.Conv2dBackwardFilter c -> 2;
            case Op.MaxPool2d m -> 1;
            case Op.MaxPool2dBackward m -> 2;
            case Op.BatchNormStats s -> 1;
            case Op.BatchNorm b -> 5;
        });
        int[] shape = in[0].layout().shape();
        switch (op) {
            case Op.Reduce r -> checkDims(name, r.dims(), shape.length);
            case Op.Reshape r -> {
                Shapes.checkShape(name, r.shape());
                if (Shapes.numel(r.shape()) != in[0].numel()) {
                    throw new ShapeException(name + ": shape " + Shapes.str(r.shape()) + " holds "
                            + Shapes.numel(r.shape()) + " elements but the input " + Shapes.str(shape) + " has "
                            + in[0].numel());
                }
            }
            case Op.Permute p -> {
                int[] sorted = p.dims().clone();
                Arrays.sort(sorted);
                if (!Arrays.equals(sorted, Shapes.allDims(shape.length))) {
                    throw new ShapeException(name + ": " + Arrays.toString(p.dims())
                            + " is not a permutation of the dimensions of " + Shapes.str(shape));
                }
            }
            case Op.Expand e -> {
                Shapes.checkShape(name, e.shape());
                if (!Shapes.canExpand(shape, e.shape())) {
                    throw new ShapeException(name + ": shape " + Shapes.str(shape) + " cannot be expanded to "
                            + Shapes.str(e.shape()));
                }
            }
            case Op.Slice s -> {
                checkDim(name, s.dim(), shape.length);
                if (s.step() <= 0 || s.start() < 0 || s.end() < s.start() || s.end() > shape[s.dim()]) {
                    throw new ShapeException(name + ": elements " + s.start() + " to " + s.end() + " in steps of "
                            + s.step() + " do not fit dimension " + s.dim() + " of " + Shapes.str(shape));
                }
            }
            case Op.Cat c -> {
                checkDim(name, c.dim(), shape.length);
                for (Tensor t : in) {
                    int[] other = t.layout().shape();
                    boolean fits = other.length == shape.length;
                    for (int d = 0; fits && d < shape.length; d++) {
                        fits = d == c.dim() || other[d] == shape[d];
                    }
                    if (!fits) {
                        throw new ShapeException(name + ": shapes " + Shapes.str(shape) + " and " + Shapes.str(other)
                                + " must match except in dimension " + c.dim());
                    }
                }
            }
            case Op.Pad p -> {
                if (p.pads().length % 2 != 0 || p.pads().length / 2 > shape.length) {
                    throw new ShapeException(name + ": expected an even number of values, at most 2 per dimension of "
                            + Shapes.str(shape) + ", found " + Arrays.toString(p.pads()));
                }
            }
            case Op.Gather g -> checkIndexed(name, g.dim(), in[0], in[1], true);
            case Op.ScatterAdd s -> {
                checkIndexed(name, s.dim(), in[0], in[1], true);
                checkIndexed(name, s.dim(), in[2], in[1], false);
            }
            case Op.IndexSelect s -> {
                checkDim(name, s.dim(), shape.length);
                if (in[1].rank() > 1 || in[1].dtype() != DType.INT64) {
                    throw new ShapeException(name + ": index must be a 0-d or 1-d INT64 tensor, found "
                            + in[1].dtype() + " " + Shapes.str(in[1].layout().shape()));
                }
            }
            case Op.Unfold u -> Windows.checkInput(name, in[0]);
            case Op.Fold f -> {
                if (f.height() <= 0 || f.width() <= 0) {
                    throw new ShapeException(name + ": output size " + f.height() + "x" + f.width() + " must be positive");
                }
            }
            case Op.Conv2d c -> {
                Convolutions.checkConv(name, in[0], in[1], c.geometry(), c.groups());
                if (c.bias() && (in[2].rank() != 1 || in[2].size(0) != in[1].size(0))) {
                    throw new ShapeException(name + ": bias must have shape [" + in[1].size(0) + "], found "
                            + Shapes.str(in[2].layout().shape()));
                }
                requireSameDtype(name, in);
            }
            case Op.Linear l -> {
                Dense.check(name, in[0], in[1], l.bias() ? in[2] : null);
                requireSameDtype(name, in);
                if (!in[0].dtype().isFloatingPoint()) {
                    throw new DTypeException(name + ": expected floating-point tensors, found " + in[0].dtype());
                }
            }
            case Op.QuantizedLinear q -> {
                Tensor wq = in[1];
                Tensor ws = in[2];
                Dense.check(name, in[0], in[3], q.bias() ? in[4] : null);
                if (in[0].dtype() != DType.FLOAT32 || wq.dtype() != DType.INT8 || ws.dtype() != DType.FLOAT32
                        || in[3].dtype() != DType.FLOAT32 || !Arrays.equals(wq.layout().shape(), in[3].layout().shape())
                        || ws.rank() != 1 || ws.size(0) != wq.size(0) || (q.bias() && in[4].dtype() != DType.FLOAT32)) {
                    throw new ShapeException(name + ": expected FLOAT32 input, INT8 weights [O, K], FLOAT32 scales [O], "
                            + "the FLOAT32 weights [O, K] (and bias [O]); found " + in[0].dtype() + ", " + wq.dtype() + " "
                            + Shapes.str(wq.layout().shape()) + ", " + ws.dtype() + " " + Shapes.str(ws.layout().shape())
                            + ", " + in[3].dtype() + " " + Shapes.str(in[3].layout().shape()));
                }
            }
            case Op.Dequantize d -> {
                checkDim(name, d.axis(), shape.length);
                if (in[0].dtype() != DType.INT8 || !in[1].dtype().isFloatingPoint() || in[1].rank() != 1
                        || in[1].size(0) != shape[d.axis()]) {
                    throw new ShapeException(name + ": expected INT8 values and one floating-point scale per index of "
                            + "dimension " + d.axis() + " (" + shape[d.axis()] + "), found " + in[0].dtype() + " "
                            + Shapes.str(shape) + " and " + in[1].dtype() + " " + Shapes.str(in[1].layout().shape()));
                }
            }
            case Op.Conv2dBackwardData c -> {
                checkConvGradient(name, in[0], in[1], c.groups());
                if (in[0].size(1) != in[1].size(0) || c.geometry().outHeight(c.height()) != in[0].size(2)
                        || c.geometry().outWidth(c.width()) != in[0].size(3)) {
                    throw new ShapeException(name + ": gradOut " + Shapes.str(shape) + " does not match weight "
                            + Shapes.str(in[1].layout().shape()) + " and an input of " + c.height() + "x" + c.width());
                }
            }
            case Op.Conv2dBackwardFilter c -> {
                checkConvGradient(name, in[0], in[1], c.groups());
                Conv2dGeometry g = c.geometry();
                if (c.outChannels() <= 0 || c.outChannels() % c.groups() != 0 || in[1].size(1) != c.outChannels()
                        || in[0].size(0) != in[1].size(0) || g.outHeight(in[0].size(2)) != in[1].size(2)
                        || g.outWidth(in[0].size(3)) != in[1].size(3)) {
                    throw new ShapeException(name + ": input " + Shapes.str(shape) + " and gradOut "
                            + Shapes.str(in[1].layout().shape()) + " do not match " + c.outChannels() + " filters");
                }
            }
            case Op.MaxPool2d m -> {
                Windows.checkInput(name, in[0]);
                checkPoolPadding(name, m.geometry());
                Convolutions.outputSize(name, in[0], m.geometry());
            }
            case Op.MaxPool2dBackward m -> {
                Windows.checkInput(name, in[1]);
                checkPoolPadding(name, m.geometry());
                Convolutions.outputSize(name, in[1], m.geometry());
                int[] pooled = {in[1].size(0), in[1].size(1), m.geometry().outHeight(in[1].size(2)),
                        m.geometry().outWidth(in[1].size(3))};
                if (!Arrays.equals(shape, pooled)) {
                    throw new ShapeException(name + ": gradOut " + Shapes.str(shape) + " does not match the pooled "
                            + "shape " + Shapes.str(pooled));
                }
                requireSameDtype(name, in);
            }
            case Op.BatchNormStats s -> {
                Normalization.checkInput(name, in[0]);
                if (!in[0].dtype().isFloatingPoint()) {
                    throw new DTypeException(name + ": expected a floating-point input, found " + in[0].dtype());
                }
            }
            case Op.BatchNorm b -> {
                Normalization.checkInput(name, in[0]);
                for (int i = 1; i < in.length; i++) {
                    Normalization.checkChannels(name, in[0], in[i]);
                }
                requireSameDtype(name, in);
                if (!in[0].dtype().isFloatingPoint()) {
                    throw new DTypeException(name + ": expected floating-point tensors, found " + in[0].dtype());
                }
            }
            default -> {
                // elementwise, where, cast, matmul and contiguous: the forward rules check dtypes and shapes
            }
        }
    }

    private static void checkPoolPadding(String name, Conv2dGeometry g) {
        if (g.padH() > g.kernelH() / 2 || g.padW() > g.kernelW() / 2) {
            throw new IllegalArgumentException(name + ": padding " + g.padH() + "x" + g.padW()
                    + " must be at most half the kernel " + g.kernelH() + "x" + g.kernelW());
        }
    }

    private static void requireInputs(String name, Tensor[] in, int expected) {
        if (in.length == 0 || (expected >= 0 && in.length != expected)) {
            throw new IllegalArgumentException(name + ": expected " + (expected < 0 ? "at least 1" : expected)
                    + " input tensor" + (expected == 1 ? "" : "s") + ", found " + in.length);
        }
    }

    private static void checkDim(String name, int dim, int rank) {
        if (dim < 0 || dim >= Math.max(rank, 1)) {
            throw new ShapeException(name + ": dimension " + dim + " is out of range for a tensor of rank " + rank);
        }
    }

    private static void checkDims(String name, int[] dims, int rank) {
        for (int i = 0; i < dims.length; i++) {
            checkDim(name, dims[i], rank);
            if (i > 0 && dims[i] <= dims[i - 1]) {
                throw new ShapeException(name + ": dimensions must be sorted and distinct, found "
                        + Arrays.toString(dims));
            }
        }
    }

    /** gather/scatterAdd: an INT64 index of the target's rank, no larger outside {@code dim} (or in it too). */
    private static void checkIndexed(String name, int dim, Tensor target, Tensor index, boolean exceptDim) {
        checkDim(name, dim, target.rank());
        int[] ts = target.layout().shape();
        int[] is = index.layout().shape();
        boolean fits = index.dtype() == DType.INT64 && is.length == ts.length;
        for (int d = 0; fits && d < is.length; d++) {
            fits = (d == dim && exceptDim) || is[d] <= ts[d];
        }
        if (!fits) {
            throw new ShapeException(name + ": index " + index.dtype() + " " + Shapes.str(is) + " does not fit "
                    + Shapes.str(ts) + " along dimension " + dim);
        }
    }

    private static void checkConvGradient(String name, Tensor a, Tensor b, int groups) {
        if (a.rank() != 4 || b.rank() != 4 || groups <= 0) {
            throw new ShapeException(name + ": expected two 4-d tensors and positive groups, found "
                    + Shapes.str(a.layout().shape()) + ", " + Shapes.str(b.layout().shape()) + " and groups " + groups);
        }
        requireSameDtype(name, new Tensor[]{a, b});
    }

    private static void requireSameDtype(String name, Tensor[] in) {
        for (Tensor t : in) {
            if (t.dtype() != in[0].dtype()) {
                throw new DTypeException(name + ": expected tensors of one dtype, found " + in[0].dtype() + " and "
                        + t.dtype());
            }
        }
    }
}
