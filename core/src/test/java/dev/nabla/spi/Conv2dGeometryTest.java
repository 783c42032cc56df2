package dev.nabla.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv2dGeometryTest {
    @Test
    void anInvalidGeometryIsReportedWithTheValuesGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2dGeometry(3, 5, 0, 2, 1, -1, 1, 1));
        // the compact constructor used to format 'this' before its fields were set: all zeros
        assertTrue(e.getMessage().contains("kernel 3x5") && e.getMessage().contains("stride 0x2")
                && e.getMessage().contains("padding 1x-1"), e.getMessage());
    }
}
