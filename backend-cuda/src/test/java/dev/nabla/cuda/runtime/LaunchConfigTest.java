package dev.nabla.cuda.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LaunchConfigTest {
    @Test
    void smallLaunchesGetOneThreadPerElement() {
        assertEquals(new LaunchConfig(1, 256, 0), LaunchConfig.forElements(0, 256, 132, 2048));
        assertEquals(new LaunchConfig(1, 256, 0), LaunchConfig.forElements(1, 256, 132, 2048));
        assertEquals(new LaunchConfig(4, 256, 0), LaunchConfig.forElements(1000, 256, 132, 2048));
        assertEquals(new LaunchConfig(4, 256, 0), LaunchConfig.forElements(1024, 256, 132, 2048));
    }

    @Test
    void largeLaunchesAreCappedAtAFewWavesOfTheMultiprocessors() {
        // H100: 132 SMs x 2048 threads: 8 blocks of 256 per SM, 4 waves
        assertEquals(132 * 8 * 4, LaunchConfig.forElements(Integer.MAX_VALUE, 256, 132, 2048).grid());
        assertEquals(2 * 4 * 4, LaunchConfig.forElements(1L << 40, 512, 2, 2048).grid());
        assertEquals(4, LaunchConfig.forElements(1L << 40, 1024, 0, 512).grid()); // degenerate device answers
    }

    @Test
    void badShapesFail() {
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.forElements(-1, 256, 1, 2048));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(0, 256, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 2048, 0));
    }
}
