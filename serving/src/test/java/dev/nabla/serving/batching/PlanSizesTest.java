package dev.nabla.serving.batching;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanSizesTest {
    @Test
    void powersOfTwoBelowTheMaximumAndTheMaximum() {
        assertArrayEquals(new int[]{1}, PlanSizes.upTo(1).sizes());
        assertArrayEquals(new int[]{1, 2, 4, 8, 16, 32, 64}, PlanSizes.upTo(64).sizes());
        assertArrayEquals(new int[]{1, 2, 4, 8, 16, 32, 64, 100}, PlanSizes.upTo(100).sizes());
        assertArrayEquals(new int[]{1, 2, 3}, PlanSizes.upTo(3).sizes());
    }

    @Test
    void neverMoreSizesThanThePredictorKeepsPlansFor() {
        int[] sizes = PlanSizes.upTo(1000).sizes();
        assertEquals(PlanSizes.MAX_SIZES, sizes.length);
        assertArrayEquals(new int[]{1, 16, 32, 64, 128, 256, 512, 1000}, sizes);
        for (int max = 1; max <= BatchingOptions.MAX_BATCH_SIZE; max++) {
            int[] s = PlanSizes.upTo(max).sizes();
            assertEquals(1, s[0]);
            assertEquals(max, s[s.length - 1]);
            assertTrue(s.length <= PlanSizes.MAX_SIZES, "max " + max);
        }
    }

    @Test
    void aBatchRunsAtTheSmallestSizeThatHoldsIt() {
        PlanSizes sizes = PlanSizes.upTo(64);
        assertEquals(1, sizes.planFor(1));
        assertEquals(4, sizes.planFor(3));
        assertEquals(4, sizes.planFor(4));
        assertEquals(64, sizes.planFor(33));
        assertThrows(IllegalArgumentException.class, () -> sizes.planFor(65));
        assertThrows(IllegalArgumentException.class, () -> sizes.planFor(0));
    }
}
