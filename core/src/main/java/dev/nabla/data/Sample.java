package dev.nabla.data;

import dev.nabla.Tensor;

/** One example: model input and target. */
public record Sample(Tensor input, Tensor target) {
}
