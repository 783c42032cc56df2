package dev.nabla.cuda;

import dev.nabla.spi.Conv2dGeometry;

import java.util.Arrays;

/**
 * The cuDNN max-pooling descriptor of one call as plain numbers ({@code cudnnSetPooling2dDescriptor}: window,
 * padding, stride) and the NCHW dims of input and output, or a reason cuDNN cannot do it: cuDNN pools without
 * dilation, pads by ignoring the padded positions (Nabla's "padding is negative infinity"), computes the output size
 * by floor division (a ceil-mode output shape is declined), and needs each padding smaller than its window. Pure.
 */
record PoolSpec(int dataType, int n, int c, int h, int w, int outH, int outW, int kh, int kw, int padH, int padW,
                int strideH, int strideW) {

    int[] xDims() {
        return new int[]{n, c, h, w};
    }

    int[] yDims() {
        return new int[]{n, c, outH, outW};
    }

    /** The spec, or null when cuDNN cannot compute this pooling exactly (see the class comment). */
    static PoolSpec of(int dataType, int[] x, int[] out, Conv2dGeometry g) {
        if (x.length != 4 || out.length != 4 || out[0] != x[0] || out[1] != x[1]) {
            throw new IllegalArgumentException("max pooling wants [N, C, H, W] in and out, found "
                    + Arrays.toString(x) + " and " + Arrays.toString(out));
        }
        if (g.dilationH() != 1 || g.dilationW() != 1 || g.padH() >= g.kernelH() || g.padW() >= g.kernelW()) {
            return null;
        }
        if (out[2] != g.outHeight(x[2]) || out[3] != g.outWidth(x[3])) {
            return null; // ceil mode, or a caller-clipped size
        }
        for (int d : x) {
            if (d <= 0) {
                return null;
            }
        }
        if (out[2] <= 0 || out[3] <= 0) {
            return null;
        }
        return new PoolSpec(dataType, x[0], x[1], x[2], x[3], out[2], out[3], g.kernelH(), g.kernelW(), g.padH(),
                g.padW(), g.strideH(), g.strideW());
    }
}
