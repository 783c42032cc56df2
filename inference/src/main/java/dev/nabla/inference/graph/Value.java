package dev.nabla.inference.graph;

/**
 * A tensor that flows through a graph: made by exactly one node, read by any number. {@code id} is unique
 * within a graph and identifies the value; {@code name} is what dumps and files show ({@code "conv1.weight"},
 * {@code "%12"}).
 */
public record Value(int id, String name, TensorType type) {

    @Override
    public String toString() {
        return name + ": " + type;
    }
}
