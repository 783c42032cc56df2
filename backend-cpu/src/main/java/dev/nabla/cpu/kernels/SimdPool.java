package dev.nabla.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2x2, stride-2 max pooling on the Vector API, for {@link SimdFloatKernels}. A vector holds L/2 windows of
 * one row pair: the vertical maximum is a lane-wise max of the two rows, and the horizontal one a max
 * with the same vector whose neighbouring lanes are swapped, which is a 32-bit rotation of each 64-bit lane
 * (one instruction, where a general lane shuffle measured slower than scalar code).
 *
 * <p>No masked stores: on the AMD Zen machines we measure, a masked store costs several times a plain one
 * (rows of 14 elements copied 3-4x slower than with {@code System.arraycopy}). A row's last vector is
 * therefore stored whole: what it writes past the row's end lies in rows this same call writes later, which
 * overwrite it. Only at the end of the call's region, where that is not true, is a row done in scalar code.
 */
final class SimdPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int HALF = L / 2;
    /** Ints in half a vector: where the even lanes of S land when 64-bit lanes are narrowed to 32 bits. */
    private static final VectorSpecies<Integer> HALF_INTS =
            VectorSpecies.of(int.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** Lane i takes lane i / 2: each window's gradient, once per column of the window. */
    private static final VectorShuffle<Float> PAIR_UP = VectorShuffle.fromOp(S, i -> i / 2);
    private static final long ALL_LANES = -1L >>> (64 - L);
    private static final long EVEN_LANES = 0x5555_5555_5555_5555L & ALL_LANES;

    private SimdPool() {
    }

    /** Each lane swapped with its neighbour in the pair (2i, 2i + 1). */
    private static FloatVector swapPairs(FloatVector v) {
        return v.reinterpretAsLongs().lanewise(VectorOperators.ROR, 32).reinterpretAsFloats();
    }

    /** Every window's maximum, in both lanes of its pair. */
    private static FloatVector windowMax(FloatVector top, FloatVector bottom) {
        FloatVector v = top.max(bottom);
        return v.max(swapPairs(v));
    }

    static void forward(float[] x, int xOff, int h, int w, float[] out, int oOff, int planes) {
        int oh = h / 2, ow = w / 2;
        if (ow == 0) {
            return;
        }
        int xEnd = xOff + planes * h * w;
        int oEnd = oOff + planes * oh * ow;
        int last = (ow - 1) / HALF * HALF;
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                int t = xOff + (p * h + 2 * r) * w;
                int d = oOff + (p * oh + r) * ow;
                if (t + w + 2 * last + L > xEnd || d + last + HALF > oEnd) {
                    PoolRows.forwardRow(x, t, w, out, d, ow);
                    continue;
                }
                for (int c = 0; c <= last; c += HALF) {
                    FloatVector m = windowMax(FloatVector.fromArray(S, x, t + 2 * c),
                            FloatVector.fromArray(S, x, t + w + 2 * c));
                    // narrowing each 64-bit lane to its low 32 bits keeps the even lanes: one maximum per window
                    m.reinterpretAsLongs().convertShape(VectorOperators.L2I, HALF_INTS, 0).reinterpretAsFloats()
                            .intoArray(out, d + c);
                }
            }
        }
    }

    static void backward(float[] x, int xOff, int h, int w, float[] g, int gOff, float[] gi, int iOff, int planes) {
        int oh = h / 2, ow = w / 2;
        if (ow == 0) {
            PoolRows.backward(x, xOff, h, w, g, gOff, gi, iOff, planes);
            return;
        }
        int region = planes * h * w; // of x and of gi, which share their layout
        int gEnd = gOff + planes * oh * ow;
        int last = (ow - 1) / HALF * HALF;
        long lastLanes = -1L >>> (64 - 2 * (ow - last));
        FloatVector zero = FloatVector.zero(S);
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                int rel = (p * h + 2 * r) * w;
                int t = xOff + rel;
                int it = iOff + rel;
                int d = gOff + (p * oh + r) * ow;
                if (rel + w + 2 * last + L > region || d + last + L > gEnd) {
                    PoolRows.backwardPair(x, t, w, g, d, ow, gi, it);
                    continue;
                }
                // right to left, so that what the last vector writes past the top row's end (into the bottom row)
                // is overwritten by the bottom row's own vectors
                for (int c = last; c >= 0; c -= HALF) {
                    FloatVector top = FloatVector.fromArray(S, x, t + 2 * c);
                    FloatVector bottom = FloatVector.fromArray(S, x, t + w + 2 * c);
                    FloatVector m = windowMax(top, bottom);
                    long lanes = c == last ? lastLanes : ALL_LANES;
                    long onTop = top.eq(m).toLong() & lanes;
                    long onBottom = bottom.eq(m).toLong() & lanes;
                    VectorMask<Float> nan = m.test(VectorOperators.IS_NAN);
                    if ((nan.toLong() & lanes) != 0) {
                        // a window with a NaN has no equal lanes; its NaN lanes are the candidates
                        onTop |= top.test(VectorOperators.IS_NAN).toLong() & lanes;
                        onBottom |= bottom.test(VectorOperators.IS_NAN).toLong() & lanes;
                    }
                    // first candidate per window: top-left, top-right, bottom-left, bottom-right
                    long firstTop = onTop & ~((onTop & EVEN_LANES) << 1);
                    long topWindows = (onTop | (onTop >>> 1)) & EVEN_LANES;
                    long firstBottom = onBottom & ~(topWindows | (topWindows << 1)) & ~((onBottom & EVEN_LANES) << 1);
                    FloatVector grad = FloatVector.fromArray(S, g, d + c).rearrange(PAIR_UP);
                    zero.blend(grad, VectorMask.fromLong(S, firstTop)).intoArray(gi, it + 2 * c);
                    zero.blend(grad, VectorMask.fromLong(S, firstBottom)).intoArray(gi, it + w + 2 * c);
                }
                if ((w & 1) != 0) {
                    gi[it + w - 1] = 0f;
                    gi[it + 2 * w - 1] = 0f;
                }
            }
            PoolRows.zeroOddLastRow(gi, iOff + p * h * w, h, w);
        }
    }
}
