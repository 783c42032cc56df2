package dev.nabla.cpu.kernels;

import java.util.Arrays;

/**
 * 2x2, stride-2 max pooling in plain Java, row by row: the scalar kernel set's implementation, and what
 * the SIMD set falls back to for the rows at the end of a region, where a whole vector would reach past it.
 */
final class PoolRows {
    private PoolRows() {
    }

    /** Output row {@code o[d .. d+ow)} from the input rows at {@code t} and {@code t + w}. */
    static void forwardRow(float[] x, int t, int w, float[] o, int d, int ow) {
        for (int c = 0; c < ow; c++) {
            int j = t + 2 * c;
            o[d + c] = Math.max(Math.max(x[j], x[j + 1]), Math.max(x[j + w], x[j + w + 1]));
        }
    }

    /**
     * Writes all {@code 2 * w} elements of the gradient rows at {@code it}: each window's gradient {@code g[d + c]}
     * at its first maximum (the first NaN if there is one), in the order top-left, top-right, bottom-left,
     * bottom-right; 0 elsewhere, including an odd last column, which is in no window.
     */
    static void backwardPair(float[] x, int t, int w, float[] g, int d, int ow, float[] gi, int it) {
        for (int c = 0; c < ow; c++) {
            int j = 2 * c;
            float a = x[t + j], b = x[t + j + 1], e = x[t + w + j], f = x[t + w + j + 1];
            float m = Math.max(Math.max(a, b), Math.max(e, f));
            int pick;
            if (m == m) {
                pick = a == m ? 0 : b == m ? 1 : e == m ? 2 : 3;
            } else {
                pick = a != a ? 0 : b != b ? 1 : e != e ? 2 : 3;
            }
            float v = g[d + c];
            gi[it + j] = pick == 0 ? v : 0f;
            gi[it + j + 1] = pick == 1 ? v : 0f;
            gi[it + w + j] = pick == 2 ? v : 0f;
            gi[it + w + j + 1] = pick == 3 ? v : 0f;
        }
        if ((w & 1) != 0) {
            gi[it + w - 1] = 0f;
            gi[it + 2 * w - 1] = 0f;
        }
    }

    static void forward(float[] x, int xOff, int h, int w, float[] out, int oOff, int planes) {
        int oh = h / 2, ow = w / 2;
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                forwardRow(x, xOff + (p * h + 2 * r) * w, w, out, oOff + (p * oh + r) * ow, ow);
            }
        }
    }

    static void backward(float[] x, int xOff, int h, int w, float[] g, int gOff, float[] gi, int iOff, int planes) {
        int oh = h / 2, ow = w / 2;
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                int t = (p * h + 2 * r) * w;
                backwardPair(x, xOff + t, w, g, gOff + (p * oh + r) * ow, ow, gi, iOff + t);
            }
            zeroOddLastRow(gi, iOff + p * h * w, h, w);
        }
    }

    /** An odd last row is in no window: its gradient is 0. */
    static void zeroOddLastRow(float[] gi, int plane, int h, int w) {
        if ((h & 1) != 0) {
            Arrays.fill(gi, plane + (h - 1) * w, plane + h * w, 0f);
        }
    }
}
