package dev.nabla.cuda;

import dev.nabla.spi.Conv2dGeometry;

import java.util.Arrays;

/**
 * The cuDNN descriptors of one 2-D convolution, as plain numbers: NCHW tensor dims of the input, output and filter,
 * padding, stride, dilation and group count ({@code cudnnSetTensor4dDescriptor}, {@code cudnnSetFilter4dDescriptor},
 * {@code cudnnSetConvolution2dDescriptor} with {@code CUDNN_CROSS_CORRELATION}, {@code cudnnSetConvolutionGroupCount}).
 * Built from Nabla's shapes and {@link Conv2dGeometry}, checked, and used as the key of the per-shape cache of
 * descriptors and chosen algorithms. Pure: tested without a GPU.
 */
record ConvSpec(int dataType, int n, int c, int h, int w, int o, int kh, int kw, int outH, int outW, int padH,
                int padW, int strideH, int strideW, int dilationH, int dilationW, int groups) {

    /** {@code [N, C, H, W]}. */
    int[] xDims() {
        return new int[]{n, c, h, w};
    }

    /** {@code [O, C / groups, kh, kw]}. */
    int[] wDims() {
        return new int[]{o, c / groups, kh, kw};
    }

    /** {@code [N, O, OH, OW]}. */
    int[] yDims() {
        return new int[]{n, o, outH, outW};
    }

    /**
     * The spec for input {@code x} [N, C, H, W], weight [O, C/groups, kh, kw] and output [N, O, OH, OW], or null
     * when cuDNN should not be asked (an empty tensor, which its descriptors reject). Inconsistent shapes fail.
     */
    static ConvSpec of(int dataType, int[] x, int[] weight, int[] out, Conv2dGeometry g, int groups) {
        if (x.length != 4 || weight.length != 4 || out.length != 4) {
            throw new IllegalArgumentException("conv2d wants 4-D x, weight and output, found " + Arrays.toString(x)
                    + ", " + Arrays.toString(weight) + ", " + Arrays.toString(out));
        }
        if (groups < 1 || x[1] % groups != 0 || weight[0] % groups != 0 || weight[1] * groups != x[1]) {
            throw new IllegalArgumentException("conv2d groups " + groups + " do not fit x " + Arrays.toString(x)
                    + " and weight " + Arrays.toString(weight));
        }
        if (weight[2] != g.kernelH() || weight[3] != g.kernelW()) {
            throw new IllegalArgumentException("conv2d weight " + Arrays.toString(weight) + " does not match kernel "
                    + g.kernelH() + "x" + g.kernelW());
        }
        int oh = g.outHeight(x[2]);
        int ow = g.outWidth(x[3]);
        if (out[0] != x[0] || out[1] != weight[0] || out[2] != oh || out[3] != ow) {
            throw new IllegalArgumentException("conv2d output " + Arrays.toString(out) + " should be ["
                    + x[0] + ", " + weight[0] + ", " + oh + ", " + ow + "]");
        }
        for (int[] dims : new int[][]{x, weight, out}) {
            for (int d : dims) {
                if (d <= 0) {
                    return null;
                }
            }
        }
        return new ConvSpec(dataType, x[0], x[1], x[2], x[3], weight[0], g.kernelH(), g.kernelW(), oh, ow,
                g.padH(), g.padW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), groups);
    }
}
