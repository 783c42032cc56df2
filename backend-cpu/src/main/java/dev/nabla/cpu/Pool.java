package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Operand;

import java.util.Arrays;

import static dev.nabla.cpu.Elementwise.buf;

/**
 * FLOAT32 2-D max pooling, forward and backward, directly on [N, C, H, W] planes; parallel over planes. The
 * common 2x2, stride-2 case runs on the kernel set's pooling kernels.
 * Padding counts as negative infinity, NaN propagates (like {@code Math.max}). The backward pass sends each
 * window's gradient to the same element as core's default (argmax then scatter-add): scanning the window
 * in row-major order, padding included, the first NaN, else the first element strictly greater than all
 * before it; a window whose choice falls on padding contributes nothing.
 */
final class Pool {
    private final FloatKernels k;

    Pool(FloatKernels kernels) {
        this.k = kernels;
    }

    private static boolean eligible(Operand... ops) {
        for (Operand o : ops) {
            if (o.dtype() != DType.FLOAT32 || o.shape().length != 4 || (o.numel() > 0 && !o.layout().isContiguous())) {
                return false;
            }
        }
        return true;
    }

    private static boolean plain2x2(Conv2dGeometry g) {
        return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0
                && g.padW() == 0 && g.dilationH() == 1 && g.dilationW() == 1;
    }

    boolean maxPool2d(Operand x, Conv2dGeometry g, Operand out) {
        if (!eligible(x, out)) {
            return false;
        }
        if (out.numel() == 0) {
            return true;
        }
        int[] s = x.shape();
        int planes = s[0] * s[1], h = s[2], w = s[3];
        int oh = out.shape()[2], ow = out.shape()[3];
        float[] xa = buf(x).floats();
        float[] oa = buf(out).floats();
        int xOff = x.layout().offset();
        int oOff = out.layout().offset();
        int inPlane = h * w;
        int outPlane = oh * ow;
        boolean fast = plain2x2(g);
        Parallel.forChunks(planes, Math.max(1, 8192 / Math.max(1, inPlane)),
                Parallel.MIN_PARALLEL_ELEMENTS / Math.max(1, inPlane) + 1, (lo, hi) -> {
            if (fast) {
                k.maxPool2x2(xa, xOff + lo * inPlane, h, w, oa, oOff + lo * outPlane, hi - lo);
                return;
            }
            for (int pl = lo; pl < hi; pl++) {
                forwardGeneral(xa, xOff + pl * inPlane, h, w, oa, oOff + pl * outPlane, oh, ow, g);
            }
        });
        return true;
    }

    private static void forwardGeneral(float[] x, int xb, int h, int w, float[] o, int ob, int oh, int ow,
                                       Conv2dGeometry g) {
        int kh = g.kernelH(), kw = g.kernelW(), sh = g.strideH(), sw = g.strideW();
        int ph = g.padH(), pw = g.padW(), dh = g.dilationH(), dw = g.dilationW();
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < kh; i++) {
                    int y = r * sh - ph + i * dh;
                    if (y < 0 || y >= h) {
                        continue;
                    }
                    int row = xb + y * w;
                    for (int j = 0; j < kw; j++) {
                        int xx = c * sw - pw + j * dw;
                        if (xx >= 0 && xx < w) {
                            m = Math.max(m, x[row + xx]);
                        }
                    }
                }
                o[ob + r * ow + c] = m;
            }
        }
    }

    boolean maxPool2dBackward(Operand gradOut, Operand x, Conv2dGeometry g, Operand gradIn) {
        return backward(gradOut, x, g, gradIn, false);
    }

    /**
     * {@link #maxPool2dBackward} of a ReLU's output, then the ReLU's gradient ({@code reluOut > 0}), chunk by chunk
     * while the chunk is in cache: no second pass over the whole tensor and no second buffer.
     */
    boolean maxPool2dReluBackward(Operand gradOut, Operand reluOut, Conv2dGeometry g, Operand gradIn) {
        return backward(gradOut, reluOut, g, gradIn, true);
    }

    private boolean backward(Operand gradOut, Operand x, Conv2dGeometry g, Operand gradIn, boolean relu) {
        if (!eligible(gradOut, x, gradIn)) {
            return false;
        }
        if (gradIn.numel() == 0) {
            return true;
        }
        if (gradOut.numel() == 0) {
            Elementwise.fill(gradIn, 0);
            return true;
        }
        int[] s = x.shape();
        int planes = s[0] * s[1], h = s[2], w = s[3];
        int oh = gradOut.shape()[2], ow = gradOut.shape()[3];
        float[] xa = buf(x).floats();
        float[] ga = buf(gradOut).floats();
        float[] gi = buf(gradIn).floats();
        int xOff = x.layout().offset();
        int gOff = gradOut.layout().offset();
        int iOff = gradIn.layout().offset();
        int inPlane = h * w;
        int outPlane = oh * ow;
        boolean fast = plain2x2(g);
        Parallel.forChunks(planes, Math.max(1, 8192 / Math.max(1, inPlane)),
                Parallel.MIN_PARALLEL_ELEMENTS / Math.max(1, inPlane) + 1, (lo, hi) -> {
            if (fast) {
                k.maxPool2x2Backward(xa, xOff + lo * inPlane, h, w, ga, gOff + lo * outPlane, gi, iOff + lo * inPlane,
                        hi - lo);
            } else {
                Arrays.fill(gi, iOff + lo * inPlane, iOff + hi * inPlane, 0f);
                for (int pl = lo; pl < hi; pl++) {
                    backwardGeneral(xa, xOff + pl * inPlane, h, w, ga, gOff + pl * outPlane, oh, ow, gi,
                            iOff + pl * inPlane, g);
                }
            }
            if (relu) {
                int from = lo * inPlane;
                k.reluBackward(gi, iOff + from, xa, xOff + from, gi, iOff + from, (hi - lo) * inPlane);
            }
        });
        return true;
    }

    private static void backwardGeneral(float[] x, int xb, int h, int w, float[] g, int gb, int oh, int ow,
                                        float[] gi, int ib, Conv2dGeometry geo) {
        int kh = geo.kernelH(), kw = geo.kernelW(), sh = geo.strideH(), sw = geo.strideW();
        int ph = geo.padH(), pw = geo.padW(), dh = geo.dilationH(), dw = geo.dilationW();
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                int best = -1; // -1: padding
                float bv = 0;
                boolean first = true;
                scan:
                for (int i = 0; i < kh; i++) {
                    int y = r * sh - ph + i * dh;
                    for (int j = 0; j < kw; j++) {
                        int xx = c * sw - pw + j * dw;
                        boolean inside = y >= 0 && y < h && xx >= 0 && xx < w;
                        int pos = inside ? y * w + xx : -1;
                        float v = inside ? x[xb + pos] : Float.NEGATIVE_INFINITY;
                        if (first) {
                            first = false;
                            best = pos;
                            bv = v;
                            if (v != v) {
                                break scan;
                            }
                        } else if (v > bv) {
                            best = pos;
                            bv = v;
                        } else if (v != v) {
                            best = pos;
                            break scan;
                        }
                    }
                }
                if (best >= 0) {
                    gi[ib + best] += g[gb + r * ow + c];
                }
            }
        }
    }
}
