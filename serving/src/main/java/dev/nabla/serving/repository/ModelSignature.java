package dev.nabla.serving.repository;

import dev.nabla.DType;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.io.Json;
import dev.nabla.serving.protocol.DataType;
import dev.nabla.serving.protocol.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a served model takes and gives: one FP32 input and one FP32 output, each with the batch as its first
 * dimension and fixed dimensions after it, and the class names its metadata records ({@code nabla.labels}, as
 * {@code nabla optimize} writes them), if any.
 */
public record ModelSignature(TensorSpec input, TensorSpec output, List<String> labels) {
    /** The metadata key of the class names: a JSON list of strings. */
    public static final String LABELS_KEY = "nabla.labels";

    public ModelSignature {
        labels = List.copyOf(labels);
    }

    /**
     * The signature of a graph's input and output types.
     *
     * @throws ModelLoadException if the model is not one the server can serve
     */
    static ModelSignature of(String inputName, TensorType inputType, String outputName, TensorType outputType,
                             Map<String, String> metadata) {
        return new ModelSignature(spec("input", inputName, inputType), spec("output", outputName, outputType),
                labels(metadata));
    }

    /**
     * The name clients use: the graph's, unless it is an anonymous value ({@code %67}), whose number changes from one
     * compiled version to the next; then {@code input} or {@code output}, so that clients naming it keep working
     * across versions.
     */
    static String publicName(String role, String graphName) {
        return graphName.startsWith("%") ? role : graphName;
    }

    private static TensorSpec spec(String role, String graphName, TensorType type) {
        String name = publicName(role, graphName);
        if (type.dtype() != DType.FLOAT32) {
            throw new ModelLoadException("the server serves models with an f32 " + role + ", found " + type);
        }
        int[] shape = type.shape();
        boolean ok = shape.length > 0 && shape[0] == -1;
        for (int i = 1; ok && i < shape.length; i++) {
            ok = shape[i] > 0;
        }
        if (!ok) {
            throw new ModelLoadException("the server serves models whose " + role + " has the batch as its first "
                    + "dimension and fixed dimensions after it, found " + type);
        }
        return new TensorSpec(name, DataType.FP32, shape);
    }

    /** The class names, or none when the metadata has no list of strings under {@link #LABELS_KEY}. */
    private static List<String> labels(Map<String, String> metadata) {
        String json = metadata.get(LABELS_KEY);
        if (json == null) {
            return List.of();
        }
        try {
            if (Json.parse(json) instanceof List<?> list) {
                List<String> names = new ArrayList<>();
                for (Object o : list) {
                    if (!(o instanceof String s)) {
                        return List.of();
                    }
                    names.add(s);
                }
                return names;
            }
        } catch (RuntimeException e) {
            // unreadable class names are no reason to refuse the model: it serves without them
        }
        return List.of();
    }
}
