package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;

/**
 * Convolution and max-pooling primitives. Each checks its arguments in Java, then dispatches one
 * op: the backend's fast path when it has one, else core's default made of unfold/fold and matmul
 * (see {@link WindowDefaults}). {@code nn.Functional} builds the layers on these.
 */
public final class Convolutions {
    private Convolutions() {
    }

    /** Convolution of x [N, C, H, W] with weight [O, C/groups, kh, kw], without bias: [N, O, OH, OW]. */
    public static Tensor conv2d(Tensor x, Tensor weight, Conv2dGeometry geometry, int groups) {
        return conv2d(x, weight, null, geometry, groups);
    }

    /**
     * Convolution of x [N, C, H, W] with weight [O, C/groups, kh, kw], plus {@code bias} [O] (or none when
     * null) added in the same pass over the output: [N, O, OH, OW].
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dGeometry geometry, int groups) {
        return conv2d(x, weight, bias, geometry, groups, FusedActivation.NONE);
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, Conv2dGeometry, int)} with {@code activation} applied as it is written. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dGeometry geometry, int groups,
                                FusedActivation activation) {
        checkConv("conv2d", x, weight, geometry, groups);
        DType dtype = DType.promote(x.dtype(), weight.dtype()).toFloating();
        if (bias == null) {
            return Dispatcher.apply(new Op.Conv2d(geometry, groups, false, activation), x.to(dtype), weight.to(dtype));
        }
        if (bias.rank() != 1 || bias.size(0) != weight.size(0)) {
            throw new ShapeException("conv2d: bias must have shape [" + weight.size(0) + "] (one per output channel), found "
                    + Shapes.str(bias.shape()));
        }
        dtype = DType.promote(dtype, bias.dtype()).toFloating();
        return Dispatcher.apply(new Op.Conv2d(geometry, groups, true, activation), x.to(dtype), weight.to(dtype),
                bias.to(dtype));
    }

    /** Gradient of {@link #conv2d} with respect to x, for an input of {@code height x width}. */
    public static Tensor conv2dBackwardData(Tensor gradOut, Tensor weight, Conv2dGeometry geometry, int groups,
                                            int height, int width) {
        return Dispatcher.apply(new Op.Conv2dBackwardData(geometry, groups, height, width), gradOut,
                weight.to(gradOut.dtype()));
    }

    /** Gradient of {@link #conv2d} with respect to the weight (of {@code outChannels} filters). */
    public static Tensor conv2dBackwardFilter(Tensor x, Tensor gradOut, Conv2dGeometry geometry, int groups,
                                              int outChannels) {
        return Dispatcher.apply(new Op.Conv2dBackwardFilter(geometry, groups, outChannels), x.to(gradOut.dtype()),
                gradOut);
    }

    /** Max over windows of x [N, C, H, W]; padding counts as negative infinity. */
    public static Tensor maxPool2d(Tensor x, Conv2dGeometry geometry) {
        Windows.checkInput("maxPool2d", x);
        if (geometry.padH() > geometry.kernelH() / 2 || geometry.padW() > geometry.kernelW() / 2) {
            throw new IllegalArgumentException("maxPool2d: padding " + geometry.padH() + "x" + geometry.padW()
                    + " must be at most half the kernel " + geometry.kernelH() + "x" + geometry.kernelW());
        }
        outputSize("maxPool2d", x, geometry);
        return Dispatcher.apply(new Op.MaxPool2d(geometry), Elementwise.floating(x));
    }

    /** Gradient of {@link #maxPool2d}: each window's gradient goes to the first position of its maximum. */
    public static Tensor maxPool2dBackward(Tensor gradOut, Tensor x, Conv2dGeometry geometry) {
        return Dispatcher.apply(new Op.MaxPool2dBackward(geometry), gradOut, x.to(gradOut.dtype()));
    }

    /**
     * {@code values} (shaped like x) read at the first maximum of each window of {@code x}: the gradient of
     * {@link #maxPool2dBackward} with respect to its gradOut, [N, C, OH, OW]. Differentiable in {@code values}.
     */
    public static Tensor maxPool2dAtMaxima(Tensor values, Tensor x, Conv2dGeometry geometry) {
        if (!java.util.Arrays.equals(values.shape(), x.shape())) {
            throw new ShapeException("maxPool2dAtMaxima: values " + Shapes.str(values.shape())
                    + " must have the input's shape " + Shapes.str(x.shape()));
        }
        return WindowDefaults.atWindowMaxima(values, x, geometry);
    }

    static void checkConv(String op, Tensor x, Tensor weight, Conv2dGeometry g, int groups) {
        if (x.rank() != 4 || weight.rank() != 4) {
            throw new ShapeException(op + ": expected input [N, C, H, W] and weight [O, C/groups, kh, kw], found "
                    + Shapes.str(x.shape()) + " and " + Shapes.str(weight.shape()));
        }
        int c = x.size(1), o = weight.size(0), cg = weight.size(1);
        if (groups <= 0 || c != cg * groups || o % groups != 0) {
            throw new ShapeException(op + ": input has " + c + " channels but weight " + Shapes.str(weight.shape())
                    + " with groups = " + groups + " expects " + cg * groups + " (and out channels divisible by groups)");
        }
        if (weight.size(2) != g.kernelH() || weight.size(3) != g.kernelW()) {
            throw new ShapeException(op + ": weight " + Shapes.str(weight.shape()) + " does not match kernel "
                    + g.kernelH() + "x" + g.kernelW());
        }
        outputSize(op, x, g);
    }

    static void outputSize(String op, Tensor x, Conv2dGeometry g) {
        if (g.outHeight(x.size(2)) <= 0 || g.outWidth(x.size(3)) <= 0) {
            throw new ShapeException(op + ": a " + g.kernelH() + "x" + g.kernelW() + " window (dilation "
                    + g.dilationH() + "x" + g.dilationW() + ", padding " + g.padH() + "x" + g.padW()
                    + ") does not fit an input of " + x.size(2) + "x" + x.size(3));
        }
    }
}
