package dev.nabla.engine;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

/**
 * Forward rules of the sliding-window primitives, written with the backend's strided copy and add:
 * one call per kernel offset (kh*kw calls), each moving a whole [N, C, OH, OW] plane of windows.
 */
public final class Windows {
    private Windows() {
    }

    public static void checkInput(String op, Tensor x) {
        if (x.rank() != 4) {
            throw new ShapeException(op + ": expected a 4-d input [N, C, H, W], found " + Shapes.str(x.layout().shape()));
        }
    }

    static Tensor unfold(Tensor x, Conv2dGeometry g) {
        int[] s = x.layout().shape();
        int n = s[0], c = s[1], h = s[2], w = s[3];
        int oh = g.outHeight(h), ow = g.outWidth(w);
        if (oh <= 0 || ow <= 0) {
            throw new ShapeException("unfold: a " + g.kernelH() + "x" + g.kernelW() + " window (dilation "
                    + g.dilationH() + "x" + g.dilationW() + ", padding " + g.padH() + "x" + g.padW()
                    + ") does not fit an input of " + h + "x" + w);
        }
        Tensor padded = padded(x, g);
        int positions = oh * ow;
        Tensor out = Tensors.empty(x.device(), x.dtype(), n, c * g.kernelArea(), positions);
        Layout src = padded.layout();
        for (int i = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < g.kernelW(); j++) {
                Layout window = windowLayout(src, g, i, j, oh, ow);
                Layout column = columnLayout(n, c, g, i, j, oh, ow);
                Tensors.backend(x).copy(new Operand(Tensors.storage(padded).buffer(), window), new Operand(Tensors.storage(out).buffer(), column));
            }
        }
        java.lang.ref.Reference.reachabilityFence(padded);
        return out;
    }

    static Tensor fold(Tensor cols, Conv2dGeometry g, int h, int w) {
        int[] s = cols.layout().shape();
        if (s.length != 3 || s[1] % g.kernelArea() != 0) {
            throw new ShapeException("fold: expected [N, C*" + g.kernelH() + "*" + g.kernelW() + ", L], found "
                    + Shapes.str(s));
        }
        int n = s[0], c = s[1] / g.kernelArea();
        int oh = g.outHeight(h), ow = g.outWidth(w);
        if (oh * ow != s[2]) {
            throw new ShapeException("fold: " + s[2] + " window positions do not match an output of " + h + "x" + w
                    + " (" + oh + "x" + ow + " positions)");
        }
        Tensor contiguous = cols.isContiguous() && cols.layout().offset() == 0 ? cols : InPlace.cloneDetached(cols);
        int hp = h + 2 * g.padH(), wp = w + 2 * g.padW();
        Tensor padded = Tensor.full(cols.device(), cols.dtype(), 0, n, c, hp, wp);
        for (int i = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < g.kernelW(); j++) {
                Operand window = new Operand(Tensors.storage(padded).buffer(), windowLayout(padded.layout(), g, i, j, oh, ow));
                Operand column = new Operand(Tensors.storage(contiguous).buffer(), columnLayout(n, c, g, i, j, oh, ow));
                Tensors.backend(cols).binary(BinaryOp.ADD, window, column, window);
            }
        }
        java.lang.ref.Reference.reachabilityFence(contiguous);
        if (g.padH() == 0 && g.padW() == 0) {
            return padded;
        }
        Tensor out = Tensors.empty(cols.device(), cols.dtype(), n, c, h, w);
        Layout interior = Forward.narrowLayout(Forward.narrowLayout(padded.layout(), 2, g.padH(), h), 3, g.padW(), w);
        Tensors.backend(cols).copy(new Operand(Tensors.storage(padded).buffer(), interior), out.operand());
        java.lang.ref.Reference.reachabilityFence(padded);
        return out;
    }

    /** {@code x} with zero padding around H and W (itself when there is none). */
    private static Tensor padded(Tensor x, Conv2dGeometry g) {
        if (g.padH() == 0 && g.padW() == 0) {
            return x;
        }
        int[] s = x.layout().shape();
        Tensor out = Tensor.full(x.device(), x.dtype(), 0, s[0], s[1], s[2] + 2 * g.padH(), s[3] + 2 * g.padW());
        Layout interior = Forward.narrowLayout(Forward.narrowLayout(out.layout(), 2, g.padH(), s[2]), 3, g.padW(), s[3]);
        Tensors.backend(x).copy(x.operand(), new Operand(Tensors.storage(out).buffer(), interior));
        return out;
    }

    /** The elements of {@code src} [N, C, Hp, Wp] that kernel offset (i, j) sees at each of the oh x ow positions. */
    private static Layout windowLayout(Layout src, Conv2dGeometry g, int i, int j, int oh, int ow) {
        int[] st = src.strides();
        int offset = src.offset() + i * g.dilationH() * st[2] + j * g.dilationW() * st[3];
        return new Layout(new int[]{src.shape()[0], src.shape()[1], oh, ow},
                new int[]{st[0], st[1], st[2] * g.strideH(), st[3] * g.strideW()}, offset);
    }

    /** Row (c, i, j) of the contiguous [N, C*kh*kw, oh*ow] column matrix, seen as [N, C, oh, ow]. */
    private static Layout columnLayout(int n, int c, Conv2dGeometry g, int i, int j, int oh, int ow) {
        int positions = oh * ow;
        int rows = c * g.kernelArea();
        return new Layout(new int[]{n, c, oh, ow},
                new int[]{rows * positions, g.kernelArea() * positions, ow, 1},
                (i * g.kernelW() + j) * positions);
    }
}
