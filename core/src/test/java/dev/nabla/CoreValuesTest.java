package dev.nabla;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Value types of core that need no backend. */
class CoreValuesTest {

    @Test
    void dtypePromotionOrdersBoolIntFloat() {
        assertEquals(DType.INT64, DType.promote(DType.INT32, DType.INT64));
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
        assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT64, DType.FLOAT32));
        assertEquals(DType.INT32, DType.promote(DType.BOOL, DType.INT32));
        assertEquals(DType.FLOAT32, DType.INT64.toFloating());
        assertEquals(DType.FLOAT64, DType.FLOAT64.toFloating());
    }

    @Test
    void deviceParsesAndPrints() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.cuda(1), Device.parse("CUDA:1"));
        assertEquals("cuda:1", Device.cuda(1).toString());
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
    }

    @Test
    void generatorIsReproducibleAndRestorable() {
        Generator a = new Generator(7);
        Generator b = new Generator(7);
        for (int i = 0; i < 10; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
        long state = a.getState();
        double g1 = a.nextGaussian();
        a.setState(state);
        assertEquals(g1, a.nextGaussian());
        assertNotEquals(new Generator(1).nextLong(), new Generator(2).nextLong());
    }

    @Test
    void generatorDistributionsHaveExpectedMoments() {
        Generator g = new Generator(123);
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        double uniformSum = 0;
        long[] counts = new long[5];
        for (int i = 0; i < n; i++) {
            double x = g.nextGaussian();
            sum += x;
            sumSq += x * x;
            double u = g.nextDouble();
            assertTrue(u >= 0 && u < 1);
            uniformSum += u;
            counts[(int) g.nextLong(5)]++;
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sumSq / n, 0.01);
        assertEquals(0.5, uniformSum / n, 0.005);
        for (long c : counts) {
            assertEquals(n / 5.0, c, n * 0.01);
        }
    }
}
