package dev.nabla.ops;

import dev.nabla.ShapeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesTest {

    @Test
    void broadcastFollowsNumpyRules() {
        assertArrayEquals(new int[]{3, 4}, Shapes.broadcast("add", new int[]{3, 1}, new int[]{1, 4}));
        assertArrayEquals(new int[]{2, 3}, Shapes.broadcast("add", new int[]{2, 3}, new int[]{3}));
        assertArrayEquals(new int[]{5, 2, 3}, Shapes.broadcast("add", new int[]{}, new int[]{5, 2, 3}));
        assertArrayEquals(new int[]{0, 3}, Shapes.broadcast("add", new int[]{0, 1}, new int[]{3}));
    }

    @Test
    void broadcastFailureNamesOpShapesAndDimension() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Shapes.broadcast("mul", new int[]{2, 3}, new int[]{4}));
        assertEquals("mul: shapes [2, 3] and [4] cannot be broadcast: dimension 1 is 3 versus 4", e.getMessage());
    }

    @Test
    void wrapDimAcceptsNegativeAndRejectsOutOfRange() {
        assertEquals(2, Shapes.wrapDim("sum", -1, 3));
        assertEquals(0, Shapes.wrapDim("sum", -3, 3));
        ShapeException e = assertThrows(ShapeException.class, () -> Shapes.wrapDim("sum", 3, 3));
        assertTrue(e.getMessage().startsWith("sum: dimension 3 is out of range for a tensor of rank 3"), e.getMessage());
        assertEquals(0, Shapes.wrapDim("sum", -1, 0));
    }

    @Test
    void wrapDimsSortsAndRejectsDuplicates() {
        assertArrayEquals(new int[]{0, 2}, Shapes.wrapDims("sum", new int[]{-1, 0}, 3));
        assertThrows(ShapeException.class, () -> Shapes.wrapDims("sum", new int[]{1, -2}, 3));
    }

    @Test
    void viewStridesForContiguousAndTransposedInputs() {
        // contiguous [2, 3, 4] -> [6, 4]
        assertArrayEquals(new int[]{4, 1}, Shapes.viewStrides(new int[]{2, 3, 4}, new int[]{12, 4, 1}, new int[]{6, 4}));
        // transposed [3, 2] (strides 1, 3) cannot be flattened
        assertNull(Shapes.viewStrides(new int[]{3, 2}, new int[]{1, 3}, new int[]{6}));
        // but a size-1 dimension can be inserted (its stride is arbitrary; this is what PyTorch picks)
        assertArrayEquals(new int[]{1, 6, 3}, Shapes.viewStrides(new int[]{3, 2}, new int[]{1, 3}, new int[]{3, 1, 2}));
        // expanded (stride 0) leading dimension splits into two
        assertArrayEquals(new int[]{0, 0, 1},
                Shapes.viewStrides(new int[]{6, 4}, new int[]{0, 1}, new int[]{2, 3, 4}));
    }

    @Test
    void inferShapeResolvesMinusOne() {
        assertArrayEquals(new int[]{2, 6}, Shapes.inferShape("reshape", new int[]{2, -1}, 12));
        assertThrows(ShapeException.class, () -> Shapes.inferShape("reshape", new int[]{5, -1}, 12));
        assertThrows(ShapeException.class, () -> Shapes.inferShape("reshape", new int[]{-1, -1}, 12));
        ShapeException e = assertThrows(ShapeException.class, () -> Shapes.inferShape("reshape", new int[]{5}, 12));
        assertEquals("reshape: shape [5] holds 5 elements but the tensor has 12", e.getMessage());
    }

    @Test
    void canExpandOnlyGrowsSizeOneDimensions() {
        assertTrue(Shapes.canExpand(new int[]{3, 1}, new int[]{2, 3, 4}));
        assertFalse(Shapes.canExpand(new int[]{3, 2}, new int[]{3, 4}));
        assertFalse(Shapes.canExpand(new int[]{1, 1, 1}, new int[]{1, 1}));
    }
}
