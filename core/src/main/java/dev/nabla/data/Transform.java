package dev.nabla.data;

import dev.nabla.Generator;
import dev.nabla.Tensor;

/**
 * A change applied to a batch of inputs before training, e.g. normalization or augmentation.
 * Random transforms draw from the generator they are given, so a seeded loader reproduces them.
 */
@FunctionalInterface
public interface Transform {
    Tensor apply(Tensor batch, Generator random);

    /** This transform followed by {@code next}. */
    default Transform andThen(Transform next) {
        return (batch, random) -> next.apply(apply(batch, random), random);
    }
}
