package dev.nabla.examples.fashion;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code nabla fashion-mlp}: a 784-256-128-10 ReLU MLP on Fashion-MNIST. */
@Command(name = "fashion-mlp", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a multi-layer perceptron on Fashion-MNIST: flatten, 784-256-ReLU-128-ReLU-10, "
                + "Adam, cross-entropy. Writes checkpoint, history (JSON, CSV, PNG) and a report to the output directory."})
public final class FashionMlpCommand implements Callable<Integer> {
    static final int DEFAULT_EPOCHS = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    FashionOptions options;

    @Override
    public Integer call() {
        return FashionRun.run(spec, options, new FashionRun.Model("fashion-mlp", FashionModels::mlp, false, Map.of(),
                FashionModels.architecture("fashion-mlp", false, false), DEFAULT_EPOCHS));
    }
}
