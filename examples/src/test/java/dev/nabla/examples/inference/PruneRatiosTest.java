package dev.nabla.examples.inference;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PruneRatiosTest {
    @Test
    void uniformPerLayerAndBoth() {
        assertEquals(new PruneRatios(0.3, Map.of()), PruneRatios.parse("0.3"));
        assertEquals(new PruneRatios(0, Map.of("model.0", 0.5, "model.4", 0.25)),
                PruneRatios.parse("model.0=0.5, model.4=0.25"));
        assertEquals(new PruneRatios(0.2, Map.of("model.9", 0.1)), PruneRatios.parse("0.2,model.9=0.1"));
    }

    @Test
    void badValuesNameWhatWasFound() {
        for (String bad : new String[]{"1", "-0.1", "x", "0.2,0.3", "model.0=0.2,model.0=0.3", "=0.2", "model.0=1.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PruneRatios.parse(bad));
            assertTrue(e.getMessage().startsWith("expected"), bad + ": " + e.getMessage());
        }
    }
}
