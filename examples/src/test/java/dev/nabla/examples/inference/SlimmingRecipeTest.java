package dev.nabla.examples.inference;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The recipe a model file records reads back as written; a file without one was slimmed by the exact stages only. */
class SlimmingRecipeTest {
    @Test
    void readsBackWhatItWrites() {
        SlimmingRecipe recipe = new SlimmingRecipe("0.3,model.0=0.5", null, "l1", 2, 5e-4, false, true, "minmax",
                99.9, 512, 7);
        assertEquals(recipe, SlimmingRecipe.fromMetadata(Map.of(SlimmingRecipe.METADATA_KEY, recipe.toJson())));
        SlimmingRecipe budget = new SlimmingRecipe(null, 0.25, "contribution", 0, 1e-3, true, false, "percentile",
                99.99, 1024, 42);
        assertEquals(budget, SlimmingRecipe.fromMetadata(Map.of(SlimmingRecipe.METADATA_KEY, budget.toJson())));
        assertEquals(SlimmingRecipe.EXACT, SlimmingRecipe.fromMetadata(Map.of()));
    }

    @Test
    void refusesARecipeItCannotFollow() {
        String bad = SlimmingRecipe.EXACT.toJson().replace("\"contribution\"", "\"magic\"");
        assertThrows(IllegalArgumentException.class, () -> SlimmingRecipe.fromMetadata(Map.of(SlimmingRecipe.METADATA_KEY, bad)));
        String missing = SlimmingRecipe.EXACT.toJson().replace("\"int8\":false,", "");
        assertThrows(IllegalArgumentException.class,
                () -> SlimmingRecipe.fromMetadata(Map.of(SlimmingRecipe.METADATA_KEY, missing)));
    }
}
