package dev.nabla.ops;

import dev.nabla.DType;
import dev.nabla.engine.Backends;
import dev.nabla.engine.Elementwise;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.Arrays;

/**
 * The primitive operations every tensor computation is made of. Eager execution, autograd and
 * tracing all see the same records: the dispatcher runs one, the tape stores it, the tracer
 * writes it into a graph. Composite operations (softmax, gelu, var, ...) are built from these in
 * {@link dev.nabla.Tensor} and so need no rule of their own.
 *
 * <p>Each primitive has exactly one forward rule (in the dispatcher) and one gradient rule (in
 * {@link GradientRules}).
 */
public sealed interface Op {

    /** The op's name as errors and graphs show it, e.g. {@code "exp"} or {@code "matmul"}. */
    String name();

    /** Lower-case names of an enum's constants, made once: {@link #name} runs on every dispatch. */
    private static String[] lowerCaseNames(Enum<?>[] values) {
        String[] names = new String[values.length];
        for (Enum<?> v : values) {
            names[v.ordinal()] = v.name().toLowerCase(java.util.Locale.ROOT);
        }
        return names;
    }

    /** Elementwise function of one tensor; {@code alpha} parameterizes LEAKY_RELU. */
    record Unary(UnaryOp kind, double alpha) implements Op {
        private static final String[] NAMES = lowerCaseNames(UnaryOp.values());

        public Unary(UnaryOp kind) {
            this(kind, 0.0);
        }

        public String name() {
            return NAMES[kind.ordinal()];
        }
    }

    /** Elementwise function of two tensors of one dtype, broadcast against each other. */
    record Binary(BinaryOp kind) implements Op {
        private static final String[] NAMES = lowerCaseNames(BinaryOp.values());

        public String name() {
            return NAMES[kind.ordinal()];
        }
    }

    /** {@code where(condition, a, b)}, all three broadcast. */
    record Where() implements Op {
        public String name() {
            return "where";
        }
    }

    /** Conversion to another dtype. */
    record Cast(DType dtype) implements Op {
        public String name() {
            return "cast";
        }
    }

    /** Reduction over {@code dims} (sorted, distinct, non-negative). */
    record Reduce(ReduceOp kind, int[] dims, boolean keepDim) implements Op {
        private static final String[] NAMES = lowerCaseNames(ReduceOp.values());

        public String name() {
            return NAMES[kind.ordinal()];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reduce r && r.kind == kind && r.keepDim == keepDim && Arrays.equals(r.dims, dims);
        }

        @Override
        public int hashCode() {
            return kind.hashCode() * 31 + Arrays.hashCode(dims) + (keepDim ? 1 : 0);
        }

        @Override
        public String toString() {
            return "Reduce[" + kind + ", dims=" + Arrays.toString(dims) + ", keepDim=" + keepDim + "]";
        }
    }

    /** Matrix product of tensors of rank >= 2 with broadcast batch dimensions. */
    record MatMul() implements Op {
        public String name() {
            return "matmul";
        }
    }

    /** New shape, same elements in row-major order; a view when the strides allow it. */
    record Reshape(int[] shape) implements Op {
        public String name() {
            return "reshape";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reshape r && Arrays.equals(r.shape, shape);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return "Reshape" + Arrays.toString(shape);
        }
    }

    /** Reorders dimensions (a view). */
    record Permute(int[] dims) implements Op {
        public String name() {
            return "permute";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Permute p && Arrays.equals(p.dims, dims);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(dims);
        }

        @Override
        public String toString() {
            return "Permute" + Arrays.toString(dims);
        }
    }

    /** Broadcasts size-1 dimensions (and new leading ones) to {@code shape} (a view). */
    record Expand(int[] shape) implements Op {
        public String name() {
            return "expand";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Expand e && Arrays.equals(e.shape, shape);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return "Expand" + Arrays.toString(shape);
        }
    }

    /** Elements {@code start, start+step, ...} (below {@code end}) along {@code dim} (a view). */
    record Slice(int dim, int start, int end, int step) implements Op {
        public String name() {
            return "slice";
        }
    }

    /** A contiguous copy; the identity for autograd. */
    record Contiguous() implements Op {
        public String name() {
            return "contiguous";
        }
    }

    /** Concatenation of all inputs along {@code dim}. */
    record Cat(int dim) implements Op {
        public String name() {
            return "cat";
        }
    }

    /**
     * Constant padding. {@code pads} holds (before, after) pairs starting from the last dimension,
     * as in PyTorch's {@code F.pad}; negative values crop.
     */
    record Pad(int[] pads, double value) implements Op {
        public String name() {
            return "pad";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pad p && Arrays.equals(p.pads, pads) && Double.compare(p.value, value) == 0;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pads) * 31 + Double.hashCode(value);
        }

        @Override
        public String toString() {
            return "Pad" + Arrays.toString(pads) + "=" + value;
        }
    }

    /** {@code gather(src, index)} along {@code dim}. */
    record Gather(int dim) implements Op {
        public String name() {
            return "gather";
        }
    }

    /** Out-of-place {@code self.scatterAdd(dim, index, src)}; inputs are (self, index, src). */
    record ScatterAdd(int dim) implements Op {
        public String name() {
            return "scatter_add";
        }
    }

    /** {@code indexSelect(src, index)} along {@code dim}; index is 1-D. */
    record IndexSelect(int dim) implements Op {
        public String name() {
            return "index_select";
        }
    }

    /**
     * Sliding 2-D windows (im2col), PyTorch's {@code F.unfold}: [N, C, H, W] becomes
     * [N, C*kh*kw, L] where L is the number of window positions.
     */
    record Unfold(Conv2dGeometry geometry) implements Op {
        public String name() {
            return "unfold";
        }
    }

    /**
     * The adjoint of {@link Unfold} (col2im), PyTorch's {@code F.fold}: [N, C*kh*kw, L] becomes
     * [N, C, H, W], summing where windows overlap.
     */
    record Fold(Conv2dGeometry geometry, int height, int width) implements Op {
        public String name() {
            return "fold";
        }
    }

    /**
     * 2-D convolution (cross-correlation) of x [N, C, H, W] with weight [O, C/groups, kh, kw]; with {@code bias},
     * a third input [O] is added to every output channel in the same pass, and {@code activation} is applied as
     * the result is written. Backends may run it directly; otherwise it is im2col + GEMM, then the bias add and
     * the activation.
     */
    record Conv2d(Conv2dGeometry geometry, int groups, boolean bias, FusedActivation activation) implements Op {
        public Conv2d {
            java.util.Objects.requireNonNull(activation, "activation");
        }

        /** A convolution without a fused activation. */
        public Conv2d(Conv2dGeometry geometry, int groups, boolean bias) {
            this(geometry, groups, bias, FusedActivation.NONE);
        }

        public String name() {
            return "conv2d";
        }
    }

    /**
     * A fully connected layer, {@code activation(x W^T + b)}: x [..., K] with weight [O, K] (the layout of
     * {@code nn.Linear}) and, with {@code bias}, a third input [O]; the result is [..., O]. Backends may run it as
     * one GEMM whose epilogue adds the bias and applies the activation; otherwise it is matmul, add, activation.
     */
    record Linear(boolean bias, FusedActivation activation) implements Op {
        public Linear {
            java.util.Objects.requireNonNull(activation, "activation");
        }

        public String name() {
            return "linear";
        }
    }

    /**
     * A linear layer with int8 weights and an int8-quantized input: {@code activation(q(x) W_q^T * (s_x * s_w) + b)}
     * where {@code q(x) = clamp(rint(x / s_x), -127, 127)} with the calibrated {@code inputScale} {@code s_x},
     * {@code W_q} is INT8 [O, K] with one FLOAT32 scale per output {@code s_w} [O]. Inputs: x [..., K], W_q, s_w, the
     * same weights as floats [O, K] (dequantized once by the predictor, for backends and batch sizes where float
     * arithmetic is faster) and, with {@code bias}, b [O]. Backends may run the products in int8 with int32 sums;
     * otherwise core computes the same function in float: the quantized input times the float weights.
     */
    record QuantizedLinear(boolean bias, FusedActivation activation, double inputScale) implements Op {
        public QuantizedLinear {
            java.util.Objects.requireNonNull(activation, "activation");
            if (!(inputScale > 0) || Double.isInfinite(inputScale)) {
                throw new IllegalArgumentException("quantized_linear: the input scale must be a positive number, found "
                        + inputScale);
            }
        }

        public String name() {
            return "quantized_linear";
        }
    }

    /**
     * Quantized values back to floats: {@code q * scale}, where {@code q} is INT8 and {@code scale} holds one FLOAT32
     * factor per index of dimension {@code axis} of {@code q} (per-channel symmetric quantization). Not
     * differentiable: quantized weights are stored, not trained.
     */
    record Dequantize(int axis) implements Op {
        public String name() {
            return "dequantize";
        }
    }

    /** Gradient of {@link Conv2d} with respect to its input: inputs (gradOut, weight), output [N, C, height, width]. */
    record Conv2dBackwardData(Conv2dGeometry geometry, int groups, int height, int width) implements Op {
        public String name() {
            return "conv2d_backward_data";
        }
    }

    /** Gradient of {@link Conv2d} with respect to its weight: inputs (x, gradOut), output [O, C/groups, kh, kw]. */
    record Conv2dBackwardFilter(Conv2dGeometry geometry, int groups, int outChannels) implements Op {
        public String name() {
            return "conv2d_backward_filter";
        }
    }

    /** Max over 2-D windows; padding counts as negative infinity. */
    record MaxPool2d(Conv2dGeometry geometry) implements Op {
        public String name() {
            return "max_pool2d";
        }
    }

    /**
     * Gradient of {@link MaxPool2d}: inputs (gradOut, x); each window's gradient goes to the first
     * position holding its maximum.
     */
    record MaxPool2dBackward(Conv2dGeometry geometry) implements Op {
        public String name() {
            return "max_pool2d_backward";
        }
    }

    /**
     * The batch statistics of x [N, C, ...]: a [2, C] tensor holding, per channel (dimension 1), the mean (row 0) and
     * the biased variance (row 1) over every other dimension. Backends compute both in one numerically stable pass.
     * Not differentiable on its own: {@link BatchNorm}'s rule in training mode accounts for it.
     */
    record BatchNormStats() implements Op {
        public String name() {
            return "batch_norm_stats";
        }
    }

    /**
     * Batch normalization of x [N, C, ...] per channel (dimension 1): {@code (x - mean) / sqrt(var + eps) * weight +
     * bias}, inputs (x, mean, var, weight, bias), the last four [C]. With {@code training}, mean and var are x's own
     * batch statistics ({@link BatchNormStats} of x) and the gradient rule differentiates through them, as for a batch
     * norm in training mode; otherwise they are given (running statistics) and are differentiable inputs themselves.
     * Backends may run the forward pass in one pass and the backward pass in two.
     */
    record BatchNorm(double eps, boolean training) implements Op {
        public BatchNorm {
            if (!(eps >= 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("batch_norm: eps must be a non-negative number, found " + eps);
            }
        }

        public String name() {
            return "batch_norm";
        }
    }
}
