package dev.nabla.inference.graph;

/**
 * The module call a node was traced in, as torch.fx's {@code call_module}: {@code path} is the module's dotted
 * name in the traced model ({@code "features.0"}; {@code ""} for the model itself) and {@code type} its kind
 * ({@code "Conv2d"}, {@code "BatchNorm2d"}, {@code "ReLU"}). Passes use scopes to find layers; reports use
 * them to name layers.
 */
public record Scope(String path, String type) {
    /** Nodes made by passes outside any traced module. */
    public static final Scope NONE = new Scope("", "");

    /** {@code features.0 (Conv2d)}, or the type alone for the model itself. */
    @Override
    public String toString() {
        return path.isEmpty() ? type : type.isEmpty() ? path : path + " (" + type + ")";
    }
}
