package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.Arrays;

/**
 * Forward rule of every primitive: output shape and dtype, then the backend call (or, for views,
 * a new layout over the same storage). Callers have already promoted dtypes and checked devices;
 * these rules check what remains and name the op in every error.
 */
public final class Forward {
    private Forward() {
    }

    /** True if {@link #run(Op, Tensor[], Tensor)} can write {@code op}'s result into a given tensor. */
    static boolean writesInto(Op op) {
        return switch (op) {
            case Op.Unary u -> true;
            case Op.Binary b -> true;
            case Op.Where w -> true;
            case Op.Cast c -> true;
            case Op.Reduce r -> true;
            case Op.MatMul m -> true;
            case Op.Contiguous c -> true;
            case Op.Cat c -> true;
            case Op.Conv2d c -> true;
            case Op.Linear l -> true;
            case Op.QuantizedLinear q -> true;
            case Op.MaxPool2d m -> true;
            case Op.BatchNorm b -> true;
            default -> false;
        };
    }

    /**
     * Runs {@code op}; with {@code into} (contiguous, of the result's dtype and shape, not overlapping an input) the
     * result is written there instead of into new memory, for ops where {@link #writesInto} says so.
     */
    static Tensor run(Op op, Tensor[] in, Tensor into) {
        if (into != null && !writesInto(op)) {
            throw new IllegalArgumentException(op.name() + ": cannot write its result into a given tensor");
        }
        if (computesInFloat32(op, in)) {
            return viaFloat32(op, in, into);
        }
        return switch (op) {
            case Op.Unary u -> unary(u, in[0], into);
            case Op.Binary b -> binary(b, in[0], in[1], into);
            case Op.Where w -> where(in[0], in[1], in[2], into);
            case Op.Cast c -> cast(c, in[0], into);
            case Op.Reduce r -> reduce(r, in[0], into);
            case Op.MatMul m -> matmul(in[0], in[1], into);
            case Op.Reshape r -> reshape(in[0], r.shape());
            case Op.Permute p -> permute(in[0], p.dims());
            case Op.Expand e -> Tensors.view(in[0], expandLayout(in[0].layout(), e.shape()));
            case Op.Slice s -> slice(in[0], s);
            case Op.Contiguous c -> copyInto(in[0], output(into, in[0], in[0].dtype(), in[0].layout().shape(), op));
            case Op.Cat c -> cat(c.dim(), in, into);
            case Op.Pad p -> pad(in[0], p);
            case Op.Gather g -> gather(in[0], g.dim(), in[1]);
            case Op.ScatterAdd s -> scatterAdd(in[0], s.dim(), in[1], in[2]);
            case Op.IndexSelect s -> indexSelect(in[0], s.dim(), in[1]);
            case Op.Unfold u -> Windows.unfold(in[0], u.geometry());
            case Op.Fold f -> Windows.fold(in[0], f.geometry(), f.height(), f.width());
            case Op.Conv2d c -> WindowDefaults.conv2d(in[0], in[1], c.bias() ? in[2] : null, c.geometry(), c.groups(),
                    c.activation(), into);
            case Op.Linear l -> Dense.forward(in[0], in[1], l.bias() ? in[2] : null, l.activation(), into);
            case Op.Dequantize d -> dequantize(in[0], in[1], d.axis());
            case Op.QuantizedLinear q -> Dense.quantized(in[0], in[1], in[2], in[3], q.bias() ? in[4] : null,
                    q.inputScale(), q.activation(), into);
            case Op.Conv2dBackwardData c -> WindowDefaults.conv2dBackwardData(in[0], in[1], c.geometry(), c.groups(),
                    c.height(), c.width());
            case Op.Conv2dBackwardFilter c -> WindowDefaults.conv2dBackwardFilter(in[0], in[1], c.geometry(), c.groups(),
                    c.outChannels());
            case Op.MaxPool2d m -> WindowDefaults.maxPool2d(in[0], m.geometry(), into);
            case Op.MaxPool2dBackward m -> WindowDefaults.maxPool2dBackward(in[0], in[1], m.geometry());
            case Op.BatchNormStats s -> Normalization.stats(in[0]);
            case Op.BatchNorm b -> Normalization.forward(b, in[0], in[1], in[2], in[3], in[4], into);
        };
    }

    // ---- half precision

    /**
     * True if {@code op} computes on values (not only moves them) and an input is BFLOAT16 or FLOAT16: such ops run
     * in FLOAT32 and round their result to the half type once (PyTorch's CPU semantics), so that backends only move
     * half values and every backend computes them the same way.
     */
    private static boolean computesInFloat32(Op op, Tensor[] in) {
        // Runs on every dispatch: look at the inputs' dtypes first, so that the common case (no half input) costs
        // a short loop and never the type switch below.
        boolean anyHalf = false;
        for (Tensor t : in) {
            if (t.dtype().isHalf()) {
                anyHalf = true;
                break;
            }
        }
        if (!anyHalf) {
            return false;
        }
        return switch (op) {
            case Op.Cast c -> false;
            case Op.Reshape r -> false;
            case Op.Permute p -> false;
            case Op.Expand e -> false;
            case Op.Slice s -> false;
            case Op.Contiguous c -> false;
            case Op.Cat c -> false;
            case Op.Pad p -> false;
            case Op.Gather g -> false;
            case Op.IndexSelect s -> false;
            case Op.Where w -> false;
            case Op.Unfold u -> false;
            case Op.Dequantize d -> false; // composed of a cast and a mul, each of which handles half itself
            default -> true;
        };
    }

    /**
     * {@code op} on FLOAT32 copies of the half inputs, its FLOAT32 result rounded to the (first) input's half type;
     * BOOL and INT64 results (comparisons, argmax) are returned as they are.
     */
    private static Tensor viaFloat32(Op op, Tensor[] in, Tensor into) {
        DType half = null;
        for (Tensor t : in) {
            if (t.dtype().isHalf()) {
                half = t.dtype();
                break;
            }
        }
        Tensor[] up = new Tensor[in.length];
        Tensor result;
        try {
            result = Dispatcher.decomposed(() -> {
                for (int i = 0; i < in.length; i++) {
                    up[i] = in[i].dtype().isHalf() ? in[i].to(DType.FLOAT32) : in[i];
                }
                return run(op, up, null);
            });
        } finally {
            for (int i = 0; i < in.length; i++) {
                if (up[i] != null && up[i] != in[i]) {
                    up[i].close();
                }
            }
        }
        DType outType = result.dtype() == DType.FLOAT32 ? half : result.dtype();
        if (into == null && outType == result.dtype()) {
            return result;
        }
        try {
            return copyInto(result, output(into, in[0], outType, result.layout().shape(), op));
        } finally {
            result.close();
        }
    }

    // ---- helpers

    private static Tensor empty(Tensor like, DType dtype, int[] shape) {
        return Tensors.empty(like.device(), dtype, shape);
    }

    /** {@code into} after checking that it can hold the result, or new memory when it is null. */
    static Tensor output(Tensor into, Tensor like, DType dtype, int[] shape, Op op) {
        if (into == null) {
            return Tensors.empty(like.device(), dtype, shape);
        }
        Tensors.checkOpen(into);
        if (into.dtype() != dtype || !Arrays.equals(into.layout().shape(), shape) || !into.isContiguous()
                || !into.device().equals(like.device())) {
            throw new ShapeException(op.name() + ": the output tensor must be a contiguous " + dtype + " "
                    + Shapes.str(shape) + " on " + like.device() + ", found " + into.dtype() + " "
                    + Shapes.str(into.layout().shape()) + (into.isContiguous() ? "" : " (not contiguous)"));
        }
        return into;
    }

    private static Operand operand(Tensor t, Layout layout) {
        return new Operand(Tensors.storage(t).buffer(), layout);
    }

    private static Tensor copyInto(Tensor src, Tensor dst) {
        Tensors.backend(src).copy(src.operand(), dst.operand());
        return dst;
    }

    /** {@code layout} broadcast to {@code shape}: new leading axes and grown size-1 axes get stride 0. */
    static Layout expandLayout(Layout layout, int[] shape) {
        int[] strides = new int[shape.length];
        int lead = shape.length - layout.rank();
        for (int i = 0; i < shape.length; i++) {
            if (i >= lead && layout.shape()[i - lead] == shape[i]) {
                strides[i] = layout.strides()[i - lead];
            }
        }
        return new Layout(shape.clone(), strides, layout.offset());
    }

    private static void requireSameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new DTypeException(op + ": expected tensors of one dtype, found " + a.dtype() + " and " + b.dtype());
        }
    }

    private static void requireIndex(String op, Tensor index) {
        if (index.dtype() != DType.INT64) {
            throw new DTypeException(op + ": index must be INT64, found " + index.dtype());
        }
    }

    // ---- elementwise

    private static Tensor unary(Op.Unary u, Tensor x, Tensor into) {
        UnaryOp kind = u.kind();
        DType dtype = x.dtype();
        boolean ok = kind == UnaryOp.LOGICAL_NOT ? dtype == DType.BOOL
                : dtype.isFloatingPoint() || (dtype.isIntegral() && kind.supportsIntegers());
        if (!ok) {
            throw new DTypeException(u.name() + ": not defined for " + dtype + " tensors");
        }
        Tensor out = output(into, x, dtype, x.layout().shape(), u);
        Tensors.backend(x).unary(kind, x.operand(), out.operand(), u.alpha());
        return out;
    }

    private static Tensor binary(Op.Binary b, Tensor x, Tensor y, Tensor into) {
        requireSameDtype(b.name(), x, y);
        int[] shape = Shapes.broadcast(b.name(), x.layout().shape(), y.layout().shape());
        DType outType = b.kind().isComparison() || b.kind().isLogical() ? DType.BOOL : x.dtype();
        Tensor out = output(into, x, outType, shape, b);
        // A Java number (a constant no one has read as memory) goes to the backend as an attribute.
        Double yValue = Tensors.pendingConstant(y);
        Double xValue = Tensors.pendingConstant(x);
        if (yValue != null && xValue == null) {
            Tensors.backend(x).binaryScalar(b.kind(), operand(x, expandLayout(x.layout(), shape)), yValue, false,
                    out.operand());
        } else if (xValue != null && yValue == null) {
            Tensors.backend(x).binaryScalar(b.kind(), operand(y, expandLayout(y.layout(), shape)), xValue, true,
                    out.operand());
        } else {
            Tensors.backend(x).binary(b.kind(), operand(x, expandLayout(x.layout(), shape)),
                    operand(y, expandLayout(y.layout(), shape)), out.operand());
        }
        return out;
    }

    /** A dtype conversion; a constant not yet in memory stays one (a Java number combined in another dtype). */
    private static Tensor cast(Op.Cast c, Tensor x, Tensor into) {
        Double value = Tensors.pendingConstant(x);
        if (value != null && into == null) {
            return Tensors.constant(x.device(), c.dtype(), value);
        }
        return copyInto(x, output(into, x, c.dtype(), x.layout().shape(), c));
    }

    private static Tensor where(Tensor cond, Tensor a, Tensor b, Tensor into) {
        if (cond.dtype() != DType.BOOL) {
            throw new DTypeException("where: condition must be BOOL, found " + cond.dtype());
        }
        requireSameDtype("where", a, b);
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.layout().shape(), a.layout().shape()),
                b.layout().shape());
        Tensor out = output(into, a, a.dtype(), shape, new Op.Where());
        Tensors.backend(a).where(operand(cond, expandLayout(cond.layout(), shape)), operand(a, expandLayout(a.layout(), shape)),
                operand(b, expandLayout(b.layout(), shape)), out.operand());
        return out;
    }

    // ---- reductions

    private static Tensor reduce(Op.Reduce r, Tensor x, Tensor into) {
        int[] shape = x.layout().shape();
        int[] kept = shape.clone();
        for (int d : r.dims()) {
            if (shape[d] == 0 && r.kind() != ReduceOp.SUM && r.kind() != ReduceOp.PROD) {
                throw new ShapeException(r.name() + ": cannot reduce dimension " + d + " of size 0 in shape "
                        + Shapes.str(shape) + " (the result has no identity element)");
            }
            kept[d] = 1;
        }
        boolean arg = r.kind() == ReduceOp.ARGMAX || r.kind() == ReduceOp.ARGMIN;
        DType outType = arg ? DType.INT64 : x.dtype();
        int[] outShape = r.keepDim() ? kept : removeDims(shape, r.dims());
        Tensor out = output(into, x, outType, outShape, r);
        if (r.dims().length == 0) {
            Tensors.backend(x).copy(x.operand(), out.operand());
        } else {
            Tensors.backend(x).reduce(r.kind(), x.operand(), r.dims(), operand(out, Layout.contiguous(kept)));
        }
        return out;
    }

    static int[] removeDims(int[] shape, int[] sortedDims) {
        int[] out = new int[shape.length - sortedDims.length];
        for (int i = 0, j = 0, k = 0; i < shape.length; i++) {
            if (k < sortedDims.length && sortedDims[k] == i) {
                k++;
            } else {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    // ---- matmul

    private static Tensor matmul(Tensor a, Tensor b, Tensor into) {
        requireSameDtype("matmul", a, b);
        int[] as = a.layout().shape();
        int[] bs = b.layout().shape();
        if (as.length < 2 || bs.length < 2) {
            throw new ShapeException("matmul: primitive expects tensors of rank >= 2, found " + Shapes.str(as)
                    + " and " + Shapes.str(bs));
        }
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new ShapeException("matmul: cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": inner dimensions " + k + " and " + bs[bs.length - 2] + " differ");
        }
        int[] batch = Shapes.broadcast("matmul", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        int batchSize = Shapes.numel(batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = output(into, a, a.dtype(), outShape, new Op.MatMul());
        Tensor aBatched = asBatch(a, batch, m, k);
        Tensor bBatched = asBatch(b, batch, k, n);
        Tensors.backend(a).matmul(aBatched.operand(), bBatched.operand(),
                operand(out, Layout.contiguous(batchSize, m, n)));
        return out;
    }

    /** {@code t} broadcast to {@code batch + [rows, cols]} and seen as [B, rows, cols], copying only if needed. */
    private static Tensor asBatch(Tensor t, int[] batch, int rows, int cols) {
        int[] full = Arrays.copyOf(batch, batch.length + 2);
        full[batch.length] = rows;
        full[batch.length + 1] = cols;
        Layout expanded = expandLayout(t.layout(), full);
        int[] target = {Shapes.numel(batch), rows, cols};
        int[] strides = Shapes.viewStrides(expanded.shape(), expanded.strides(), target);
        if (strides != null) {
            return Tensors.view(t, new Layout(target, strides, expanded.offset()));
        }
        Tensor copy = empty(t, t.dtype(), full);
        Tensors.backend(t).copy(operand(t, expanded), copy.operand());
        return Tensors.view(copy, Layout.contiguous(target));
    }

    // ---- views

    private static Tensor reshape(Tensor x, int[] shape) {
        int[] strides = Shapes.viewStrides(x.layout().shape(), x.layout().strides(), shape);
        if (strides != null) {
            return Tensors.view(x, new Layout(shape.clone(), strides, x.layout().offset()));
        }
        Tensor copy = copyInto(x, empty(x, x.dtype(), x.layout().shape()));
        return Tensors.wrap(Tensors.storage(copy).retain(), Layout.contiguous(shape.clone()));
    }

    private static Tensor permute(Tensor x, int[] dims) {
        int[] shape = new int[dims.length];
        int[] strides = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = x.layout().shape()[dims[i]];
            strides[i] = x.layout().strides()[dims[i]];
        }
        return Tensors.view(x, new Layout(shape, strides, x.layout().offset()));
    }

    private static Tensor slice(Tensor x, Op.Slice s) {
        int[] shape = x.layout().shape().clone();
        int[] strides = x.layout().strides().clone();
        int d = s.dim();
        int count = Math.max(0, (s.end() - s.start() + s.step() - 1) / s.step());
        int offset = x.layout().offset() + (count == 0 ? 0 : s.start() * strides[d]);
        shape[d] = count;
        strides[d] *= s.step();
        return Tensors.view(x, new Layout(shape, strides, offset));
    }

    // ---- quantization

    private static Tensor dequantize(Tensor q, Tensor scale, int axis) {
        int[] shape = new int[q.rank()];
        java.util.Arrays.fill(shape, 1);
        shape[axis] = scale.numel();
        return Dispatcher.decomposed(() -> q.to(scale.dtype()).mul(scale.reshape(shape)));
    }

    // ---- joining

    private static Tensor cat(int dim, Tensor[] in, Tensor into) {
        int[] shape = in[0].layout().shape().clone();
        int total = 0;
        for (Tensor t : in) {
            requireSameDtype("cat", in[0], t);
            total += t.layout().shape()[dim];
        }
        shape[dim] = total;
        Tensor out = output(into, in[0], in[0].dtype(), shape, new Op.Cat(dim));
        int at = 0;
        for (Tensor t : in) {
            int size = t.layout().shape()[dim];
            if (size > 0) {
                Tensors.backend(t).copy(t.operand(), operand(out, narrowLayout(out.layout(), dim, at, size)));
            }
            at += size;
        }
        return out;
    }

    static Layout narrowLayout(Layout layout, int dim, int start, int length) {
        int[] shape = layout.shape().clone();
        shape[dim] = length;
        return new Layout(shape, layout.strides(), layout.offset() + start * layout.strides()[dim]);
    }

    private static Tensor pad(Tensor x, Op.Pad p) {
        int[] shape = x.layout().shape();
        int[] outShape = shape.clone();
        int[] srcStart = new int[shape.length];
        int[] dstStart = new int[shape.length];
        int[] length = shape.clone();
        for (int i = 0; i < p.pads().length / 2; i++) {
            int d = shape.length - 1 - i;
            int before = p.pads()[2 * i];
            int after = p.pads()[2 * i + 1];
            outShape[d] = shape[d] + before + after;
            if (outShape[d] < 0) {
                throw new ShapeException("pad: padding " + Arrays.toString(p.pads()) + " leaves dimension " + d
                        + " of " + Shapes.str(shape) + " with negative size");
            }
            srcStart[d] = Math.max(0, -before);
            dstStart[d] = Math.max(0, before);
            length[d] = Math.max(0, shape[d] - srcStart[d] - Math.max(0, -after));
        }
        Tensor out = Tensor.full(x.device(), x.dtype(), p.value(), outShape);
        if (Shapes.numel(length) > 0) {
            Layout src = x.layout();
            Layout dst = out.layout();
            for (int d = 0; d < shape.length; d++) {
                src = narrowLayout(src, d, srcStart[d], length[d]);
                dst = narrowLayout(dst, d, dstStart[d], length[d]);
            }
            Tensors.backend(x).copy(operand(x, src), operand(out, dst));
        }
        return out;
    }

    // ---- indexing

    private static Tensor gather(Tensor src, int dim, Tensor index) {
        requireIndex("gather", index);
        Tensor out = empty(src, src.dtype(), index.layout().shape());
        Tensors.backend(src).gather(src.operand(), dim, index.operand(), out.operand());
        return out;
    }

    private static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        requireIndex("scatterAdd", index);
        requireSameDtype("scatterAdd", self, src);
        Tensor out = copyInto(self, empty(self, self.dtype(), self.layout().shape()));
        Tensors.backend(self).scatterAdd(out.operand(), dim, index.operand(), src.operand());
        return out;
    }

    private static Tensor indexSelect(Tensor src, int dim, Tensor index) {
        requireIndex("indexSelect", index);
        int[] shape = src.layout().shape().clone();
        shape[dim] = index.numel();
        Tensor out = empty(src, src.dtype(), shape);
        Layout indexLayout = new Layout(new int[]{index.numel()},
                new int[]{index.rank() == 0 ? 0 : index.layout().strides()[0]}, index.layout().offset());
        Tensors.backend(src).indexSelect(src.operand(), dim, operand(index, indexLayout), out.operand());
        return out;
    }
}
