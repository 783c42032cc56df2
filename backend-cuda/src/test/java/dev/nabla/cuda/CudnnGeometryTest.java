package dev.nabla.cuda;

import dev.nabla.DType;
import dev.nabla.spi.Conv2dGeometry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pure parts of the cuDNN paths: descriptor numbers, algorithm choice, memset fills. */
class CudnnGeometryTest {
    @Test
    void convolutionDescriptorsComeFromTheShapesAndGeometry() {
        Conv2dGeometry g = new Conv2dGeometry(3, 5, 2, 1, 1, 2, 1, 2);
        // H = 9: (9 + 2 - 2 - 1) / 2 + 1 = 5; W = 10: (10 + 4 - 8 - 1) / 1 + 1 = 6
        ConvSpec s = ConvSpec.of(Cudnn.DATA_FLOAT, new int[]{2, 4, 9, 10}, new int[]{6, 2, 3, 5},
                new int[]{2, 6, 5, 6}, g, 2);
        assertArrayEquals(new int[]{2, 4, 9, 10}, s.xDims());
        assertArrayEquals(new int[]{6, 2, 3, 5}, s.wDims());
        assertArrayEquals(new int[]{2, 6, 5, 6}, s.yDims());
        assertEquals(1, s.padH());
        assertEquals(2, s.padW());
        assertEquals(2, s.strideH());
        assertEquals(2, s.dilationW());
        assertEquals(2, s.groups());
        assertEquals(s, ConvSpec.of(Cudnn.DATA_FLOAT, new int[]{2, 4, 9, 10}, new int[]{6, 2, 3, 5},
                new int[]{2, 6, 5, 6}, g, 2), "a cache key");
    }

    @Test
    void inconsistentShapesFailAndEmptyOnesAreDeclined() {
        Conv2dGeometry g = Conv2dGeometry.of(3, 1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> ConvSpec.of(0, new int[]{1, 3, 8, 8}, new int[]{4, 3, 3, 3},
                new int[]{1, 4, 7, 8}, g, 1));
        assertThrows(IllegalArgumentException.class, () -> ConvSpec.of(0, new int[]{1, 3, 8, 8}, new int[]{4, 2, 3, 3},
                new int[]{1, 4, 8, 8}, g, 1));
        assertThrows(IllegalArgumentException.class, () -> ConvSpec.of(0, new int[]{1, 3, 8, 8}, new int[]{4, 3, 3, 3},
                new int[]{1, 4, 8, 8}, g, 2));
        assertNull(ConvSpec.of(0, new int[]{0, 3, 8, 8}, new int[]{4, 3, 3, 3}, new int[]{0, 4, 8, 8}, g, 1));
    }

    @Test
    void poolingThatCudnnCannotDoExactlyIsDeclined() {
        Conv2dGeometry g = Conv2dGeometry.of(2, 2, 0, 1);
        PoolSpec p = PoolSpec.of(Cudnn.DATA_DOUBLE, new int[]{1, 3, 6, 7}, new int[]{1, 3, 3, 3}, g);
        assertArrayEquals(new int[]{1, 3, 3, 3}, p.yDims());
        assertEquals(2, p.kh());
        assertNull(PoolSpec.of(0, new int[]{1, 3, 6, 7}, new int[]{1, 3, 3, 4}, g), "ceil mode");
        assertNull(PoolSpec.of(0, new int[]{1, 3, 6, 7}, new int[]{1, 3, 2, 2}, Conv2dGeometry.of(2, 2, 0, 2)),
                "dilation");
        assertThrows(IllegalArgumentException.class,
                () -> PoolSpec.of(0, new int[]{1, 3, 6, 7}, new int[]{1, 4, 3, 3}, g));
    }

    @Test
    void algorithmChoiceSkipsFailuresAndLargeWorkspaces() {
        int[] status = {0, 3, 0, 0};
        long[] memory = {1L << 40, 0, 100, 50};
        assertEquals(2, AlgoChoice.pick(4, status, memory, 1 << 20));
        assertEquals(3, AlgoChoice.pick(4, status, memory, 60));
        assertEquals(-1, AlgoChoice.pick(2, status, memory, 1 << 20));
        assertEquals(-1, AlgoChoice.pick(0, status, memory, 1 << 20));
    }

    @Test
    void fillsBecomeMemsetsWhereTheBitsRepeat() {
        assertEquals(new FillPattern(4, Float.floatToRawIntBits(1.5f), 10), FillPattern.of(DType.FLOAT32, 1.5, 10));
        assertEquals(new FillPattern(4, 0, 20), FillPattern.of(DType.FLOAT64, 0.0, 10));
        assertEquals(new FillPattern(4, -1, 20), FillPattern.of(DType.INT64, -1, 10));
        assertNull(FillPattern.of(DType.FLOAT64, 1.0, 10));
        assertNull(FillPattern.of(DType.INT64, 7, 10));
        assertEquals(new FillPattern(1, 1, 3), FillPattern.of(DType.BOOL, 0.5, 3));
        assertEquals(new FillPattern(1, -2, 3), FillPattern.of(DType.INT8, 254, 3));
        assertEquals(new FillPattern(2, 0x3c00, 3), FillPattern.of(DType.FLOAT16, 1.0, 3));
        assertEquals(new FillPattern(2, 0x3f80, 3), FillPattern.of(DType.BFLOAT16, 1.0, 3));
        assertEquals(new FillPattern(4, Integer.MAX_VALUE, 1), FillPattern.of(DType.INT32, 1e12, 1));
    }
}
