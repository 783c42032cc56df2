package dev.nabla.inference.passes;

import dev.nabla.inference.graph.Graph;

import java.util.List;

/**
 * What a pass made and what it changed, one line per change ({@code "folded 1 (BatchNorm2d) into 0 (Conv2d)"}),
 * including changes it declined and why, so that a report can explain every difference between two graphs.
 */
public record PassResult(Graph graph, List<String> changes) {
    public PassResult {
        changes = List.copyOf(changes);
    }

    /** The graph unchanged. */
    public static PassResult unchanged(Graph graph) {
        return new PassResult(graph, List.of());
    }
}
