package dev.nabla.ops;

import dev.nabla.Tensor;

import java.util.List;

/**
 * Receives every primitive op the dispatcher runs on the thread it is installed on (see
 * {@link dev.nabla.Tracing}); the inference module builds its graph from these calls.
 *
 * <p>Besides the ops, a tracer hears of module calls (so a graph keeps layer boundaries) and of the things a
 * graph of ops cannot capture: reading a tensor's values into Java, drawing random numbers outside the ops,
 * and writing into a tensor in place. A tracer that builds a graph refuses those by throwing; the defaults
 * ignore them.
 */
@FunctionalInterface
public interface Tracer {
    void record(Op op, List<Tensor> inputs, Tensor output);

    /** A module's forward starts ({@code module} is a {@code dev.nabla.nn.Module}); calls nest. */
    default void enterModule(Object module) {
    }

    /** The forward begun by the matching {@link #enterModule} returned (or threw). */
    default void exitModule(Object module) {
    }

    /** {@code tensor}'s values are about to be read into Java by {@code method} (e.g. {@code "item()"}). */
    default void beforeRead(Tensor tensor, String method) {
    }

    /** {@code function} (e.g. {@code "rand"}) is about to draw random numbers outside the ops. */
    default void beforeRandom(String function) {
    }

    /** {@code target} is about to be modified in place by {@code method}. */
    default void beforeInPlace(Tensor target, String method) {
    }
}
