package dev.nabla.examples.fashion;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code nabla fashion-cnn [--bn] [--augment]}: a two-convolution CNN on Fashion-MNIST. */
@Command(name = "fashion-cnn", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a convolutional network on Fashion-MNIST: conv(1->32, 3x3, pad 1)-ReLU-maxpool2-"
                + "conv(32->64, 3x3, pad 1)-ReLU-maxpool2-linear(3136->128)-ReLU-linear(10), Adam, cross-entropy. "
                + "Writes checkpoint, history (JSON, CSV, PNG) and a report to the output directory."})
public final class FashionCnnCommand implements Callable<Integer> {
    static final int DEFAULT_EPOCHS = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--bn", description = "BatchNorm after each convolution and after the 128-unit layer.")
    boolean batchNorm;

    @Option(names = "--augment", description = "Random crop (padding 2) and horizontal flip of training images.")
    boolean augment;

    @Mixin
    FashionOptions options;

    @Override
    public Integer call() {
        String model = "fashion-cnn" + (batchNorm ? "-bn" : "") + (augment ? "-augment" : "");
        boolean bn = batchNorm;
        return FashionRun.run(spec, options, new FashionRun.Model(model, () -> FashionModels.cnn(bn), augment,
                Map.of("batch_norm", bn), FashionModels.architecture("fashion-cnn", bn, augment), DEFAULT_EPOCHS));
    }
}
