package dev.nabla.inference.format;

import dev.nabla.inference.graph.Graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model read by {@link ModelFile#read}: its graph, checked and owning its constants, and the caller's metadata
 * as it was written (the file format's own entries are not included).
 */
public record LoadedModel(Graph graph, Map<String, String> metadata) {
    public LoadedModel {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
