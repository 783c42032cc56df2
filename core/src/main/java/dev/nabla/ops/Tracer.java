package dev.nabla.ops;

import dev.nabla.Tensor;

import java.util.List;

/**
 * Receives every primitive op the dispatcher runs on the thread it is installed on (see
 * {@link dev.nabla.Tracing}); the inference module builds its graph from these calls.
 */
@FunctionalInterface
public interface Tracer {
    void record(Op op, List<Tensor> inputs, Tensor output);
}
