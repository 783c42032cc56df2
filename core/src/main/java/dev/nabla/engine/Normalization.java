package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.FastPath;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;

/**
 * Batch normalization as two primitives: {@link Op.BatchNormStats} (a channel's mean and variance in one pass) and
 * {@link Op.BatchNorm} (the normalization itself, whose gradient rule takes one or two passes). Each forward rule
 * takes the backend's fused pass when it has one, else computes the same function from ordinary ops.
 * {@code nn.Functional.batchNorm} builds training and eval mode on these.
 */
public final class Normalization {
    private Normalization() {
    }

    /** The per-channel mean (row 0) and biased variance (row 1) of x [N, C, ...] over every dimension but 1: [2, C]. */
    public static Tensor batchNormStats(Tensor x) {
        checkInput("batch_norm_stats", x);
        return Dispatcher.apply(new Op.BatchNormStats(), Elementwise.floating(x));
    }

    /**
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} per channel of x [N, C, ...], the other four [C]. With
     * {@code training}, {@code mean} and {@code var} must be {@link #batchNormStats} of x: the gradient then flows
     * through them into x, as in a batch norm's training mode.
     */
    public static Tensor batchNorm(Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, double eps,
                                   boolean training) {
        checkInput("batch_norm", x);
        Tensor[] channelwise = {mean, var, weight, bias};
        DType dtype = x.dtype().toFloating();
        for (Tensor t : channelwise) {
            checkChannels("batch_norm", x, t);
            dtype = DType.promote(dtype, t.dtype()).toFloating();
        }
        return Dispatcher.apply(new Op.BatchNorm(eps, training), x.to(dtype), mean.to(dtype), var.to(dtype),
                weight.to(dtype), bias.to(dtype));
    }

    /** Refuses, naming {@code op}, an input that has no channel dimension 1. */
    public static void checkInput(String op, Tensor x) {
        if (x.rank() < 2) {
            throw new ShapeException(op + ": expected an input [N, C, ...] of rank 2 or more, found "
                    + Shapes.str(x.shape()));
        }
    }

    /** Refuses, naming {@code op}, a per-channel tensor that is not [C] for the input x [N, C, ...]. */
    public static void checkChannels(String op, Tensor x, Tensor perChannel) {
        if (perChannel.rank() != 1 || perChannel.size(0) != x.size(1)) {
            throw new ShapeException(op + ": expected a tensor of shape [" + x.size(1) + "] (one value per channel of "
                    + Shapes.str(x.shape()) + "), found " + Shapes.str(perChannel.shape()));
        }
    }

    /** Every dimension but the channel dimension 1. */
    public static int[] reducedDims(int rank) {
        int[] dims = new int[rank - 1];
        dims[0] = 0;
        for (int d = 2; d < rank; d++) {
            dims[d - 1] = d;
        }
        return dims;
    }

    /** [1, C, 1, ...] of the given rank: a per-channel tensor broadcast against the input. */
    public static int[] channelShape(int rank, int channels) {
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[1] = channels;
        return shape;
    }

    /** Forward rule of {@link Op.BatchNormStats}. */
    static Tensor stats(Tensor x) {
        int c = x.size(1);
        return Dispatcher.decomposed(() -> {
            if (x.numel() > 0 && Tensors.backend(x).supports(FastPath.BATCH_NORM_STATS, x.dtype())) {
                Tensor xc = x.contiguous();
                Tensor out = Tensors.empty(x.device(), x.dtype(), 2, c);
                boolean done = Tensors.backend(x).batchNormStats(xc.operand(), out.operand());
                Reference.reachabilityFence(xc);
                if (done) {
                    return out;
                }
                out.close();
            }
            int[] dims = reducedDims(x.rank());
            return Tensor.stack(List.of(x.mean(dims, false), x.var(dims, 0, false)), 0);
        });
    }

    /** Forward rule of {@link Op.BatchNorm}: the backend's one pass, else {@code x * scale + shift} per channel. */
    static Tensor forward(Op.BatchNorm op, Tensor x, Tensor mean, Tensor var, Tensor weight, Tensor bias, Tensor into) {
        return Dispatcher.decomposed(() -> {
            boolean fast = WindowDefaults.fast(x, FastPath.BATCH_NORM);
            Tensor out = WindowDefaults.output(into, x, x.shape(), op, fast);
            if (fast && x.numel() > 0) {
                // contiguous copies only for the backend's pass; the composed form below takes any layout
                Tensor xc = x.contiguous();
                Tensor[] channelwise = {mean.contiguous(), var.contiguous(), weight.contiguous(), bias.contiguous()};
                boolean done = Tensors.backend(x).batchNorm(xc.operand(), channelwise[0].operand(), channelwise[1].operand(),
                        channelwise[2].operand(), channelwise[3].operand(), op.eps(), out.operand());
                Reference.reachabilityFence(xc);
                Reference.reachabilityFence(channelwise);
                if (done) {
                    return out;
                }
            }
            // the same scale and shift form as the backends (and PyTorch's CPU kernel)
            int[] shape = channelShape(x.rank(), x.size(1));
            Tensor scale = weight.mul(var.add(op.eps()).rsqrt());
            Tensor shift = bias.sub(mean.mul(scale));
            return WindowDefaults.composed(x.mul(scale.reshape(shape)).add(shift.reshape(shape)), out, into);
        });
    }
}
