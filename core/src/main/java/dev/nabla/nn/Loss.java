package dev.nabla.nn;

import dev.nabla.Tensor;

/** A training objective: compares a prediction with a target and returns the loss. */
@FunctionalInterface
public interface Loss {
    Tensor forward(Tensor prediction, Tensor target);
}
