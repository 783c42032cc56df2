package dev.nabla.data;

import dev.nabla.Tensor;

/** Inputs and targets of several examples stacked along a new first dimension. */
public record Batch(Tensor inputs, Tensor targets) implements AutoCloseable {
    public int size() {
        return inputs.size(0);
    }

    /** Frees both tensors (useful on a GPU, where memory should not wait for the garbage collector). */
    @Override
    public void close() {
        inputs.close();
        targets.close();
    }
}
