package dev.nabla.cuda.runtime;

import dev.nabla.spi.Layout;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LayoutPackingTest {
    private static Layout layout(int[] shape, int[] strides, int offset) {
        return new Layout(shape, strides, offset);
    }

    @Test
    void contiguousOperandsCollapseToOneDimension() {
        Layout[] c = LayoutPacking.coalesce(Layout.contiguous(2, 3, 4), new Layout(new int[]{2, 3, 4},
                new int[]{12, 4, 1}, 5));
        assertEquals(new Layout(new int[]{24}, new int[]{1}, 0), c[0]);
        assertEquals(new Layout(new int[]{24}, new int[]{1}, 5), c[1]);
    }

    @Test
    void dimensionsMergeOnlyWhereEveryOperandAllows() {
        // a is contiguous; b broadcasts its last dimension: dims 0 and 1 merge (both allow), 2 stays.
        Layout a = Layout.contiguous(2, 3, 4);
        Layout b = layout(new int[]{2, 3, 4}, new int[]{3, 1, 0}, 0);
        Layout[] c = LayoutPacking.coalesce(a, b);
        assertEquals(new Layout(new int[]{6, 4}, new int[]{4, 1}, 0), c[0]);
        assertEquals(new Layout(new int[]{6, 4}, new int[]{1, 0}, 0), c[1]);
        // a transposed view merges nothing
        Layout t = layout(new int[]{3, 2}, new int[]{1, 3}, 0);
        assertEquals(t, LayoutPacking.coalesce(t)[0]);
    }

    @Test
    void extentOneDimensionsAreDroppedAndEmptyShapesBecomeZero() {
        Layout l = layout(new int[]{1, 5, 1, 2}, new int[]{99, 2, 77, 1}, 3);
        assertEquals(new Layout(new int[]{10}, new int[]{1}, 3), LayoutPacking.coalesce(l)[0]);
        assertEquals(new Layout(new int[0], new int[0], 4),
                LayoutPacking.coalesce(layout(new int[]{1, 1}, new int[]{5, 5}, 4))[0]);
        assertEquals(new Layout(new int[]{0}, new int[]{1}, 2),
                LayoutPacking.coalesce(layout(new int[]{3, 0, 2}, new int[]{0, 2, 1}, 2))[0]);
    }

    @Test
    void operandsMustShareAShape() {
        assertThrows(IllegalArgumentException.class,
                () -> LayoutPacking.coalesce(Layout.contiguous(2, 3), Layout.contiguous(3, 2)));
    }

    @Test
    void highRankContiguousOperandsFitAfterCoalescingAndOthersAreRejected() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        Layout contiguous = Layout.contiguous(shape);
        int[][] packed = LayoutPacking.coalesceAndPack(contiguous, contiguous);
        assertEquals(1, packed[0][0]);
        assertEquals(1024, packed[0][2]);
        // every dimension transposed-ish: strides increasing, nothing merges
        int[] strides = new int[10];
        for (int d = 0; d < 10; d++) {
            strides[d] = 1 << d;
        }
        Layout reversed = layout(shape, strides, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayoutPacking.coalesceAndPack(reversed));
        assertEquals(true, e.getMessage().contains("at most 8"), e.getMessage());
    }

    @Test
    void packIsTheNablaLayoutStruct() {
        int[] p = LayoutPacking.pack(layout(new int[]{3, 4}, new int[]{0, 2}, 7));
        assertArrayEquals(new int[]{2, 7, 3, 4, 1, 1, 1, 1, 1, 1, 0, 2, 0, 0, 0, 0, 0, 0}, p);
        assertEquals(LayoutPacking.INTS, p.length);
        int[] scalar = LayoutPacking.pack(layout(new int[0], new int[0], 1));
        assertEquals(0, scalar[0]);
        assertEquals(1, scalar[1]);
    }

    @Test
    void coalescingNeverChangesWhichElementALinearIndexNames() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 500; trial++) {
            int rank = r.nextInt(0, 7);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = r.nextInt(1, 4);
            }
            Layout[] ls = new Layout[r.nextInt(1, 4)];
            for (int i = 0; i < ls.length; i++) {
                int kind = r.nextInt(3);
                int[] strides = Layout.contiguousStrides(shape);
                if (kind == 1) { // some broadcast dimensions
                    for (int d = 0; d < rank; d++) {
                        if (r.nextBoolean()) {
                            strides[d] = 0;
                        }
                    }
                } else if (kind == 2 && rank >= 2) { // a permuted/sliced view: scale some strides
                    int d = r.nextInt(rank);
                    strides[d] *= r.nextInt(2, 4);
                }
                ls[i] = layout(shape, strides, r.nextInt(0, 5));
            }
            Layout[] c = LayoutPacking.coalesce(ls);
            int n = ls[0].numel();
            for (int i = 0; i < ls.length; i++) {
                assertEquals(n, c[i].numel());
                for (int k = 0; k < n; k++) {
                    assertEquals(LayoutPacking.position(ls[i], k), LayoutPacking.position(c[i], k),
                            "trial " + trial + " operand " + i + " index " + k + ": " + ls[i] + " -> " + c[i]);
                }
            }
        }
    }
}
