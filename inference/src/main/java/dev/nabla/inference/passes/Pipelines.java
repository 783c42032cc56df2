package dev.nabla.inference.passes;

import java.util.List;

/**
 * Every pipeline of passes in one place, in the order they run (as ONNX Runtime lists its graph transformers).
 */
public final class Pipelines {
    private Pipelines() {
    }

    /**
     * The exact passes: clean up, fold stored computations and batch norms into layers, fuse activations into the
     * layers before them (before the ReLU/max-pool reorder, so that only unfused ReLUs move), remove units fixed by
     * their weights, and clean up again.
     */
    public static List<Pass> exact() {
        return List.of(
                new DeadCodeElimination(),
                new IdentityRemoval(),
                new ConstantFolding(),
                new AffineFolding(),
                new ActivationFusion(),
                new ReluPoolReorder(),
                new ZeroUnitRemoval(),
                new IdentityRemoval(),
                new DeadCodeElimination());
    }
}
