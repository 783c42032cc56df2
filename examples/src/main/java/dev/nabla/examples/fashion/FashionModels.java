package dev.nabla.examples.fashion;

import dev.nabla.Tensor;
import dev.nabla.examples.UsageException;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;

import java.nio.file.Path;
import java.util.Map;

/** The Fashion-MNIST models of the examples; inputs are [N, 1, 28, 28], outputs 10 logits. */
public final class FashionModels {
    /** Checkpoint metadata naming the example model a checkpoint holds ({@code fashion-mlp} or {@code fashion-cnn}). */
    public static final String KEY_EXAMPLE = "nabla.example";
    /** Checkpoint metadata: {@code true} when the CNN has batch norms ({@code --bn}). */
    public static final String KEY_BATCH_NORM = "nabla.batch_norm";
    /** Checkpoint metadata: {@code true} when training batches were augmented ({@code --augment}). */
    public static final String KEY_AUGMENT = "nabla.augment";

    private FashionModels() {
    }

    /** The metadata a checkpoint of this example model carries, so that the model can be rebuilt from it alone. */
    static Map<String, String> architecture(String example, boolean batchNorm, boolean augment) {
        return Map.of(KEY_EXAMPLE, example, KEY_BATCH_NORM, Boolean.toString(batchNorm), KEY_AUGMENT,
                Boolean.toString(augment));
    }


    /**
     * The model a checkpoint's metadata names (see {@link #architecture}), freshly initialized; the caller loads the
     * weights. Refuses a checkpoint that does not say, or names an unknown model.
     */
    public static Module fromMetadata(Path file, Map<String, String> metadata) {
        String example = metadata.get(KEY_EXAMPLE);
        if (example == null) {
            throw new UsageException(file + " does not record which example model it holds (metadata '" + KEY_EXAMPLE
                    + "'); it was not written by ./nabla fashion-mlp or fashion-cnn");
        }
        String bn = metadata.getOrDefault(KEY_BATCH_NORM, "false");
        if (!bn.equals("true") && !bn.equals("false")) {
            throw new UsageException(file + ": metadata '" + KEY_BATCH_NORM + "' must be true or false, found '" + bn + "'");
        }
        return switch (example) {
            case "fashion-mlp" -> mlp();
            case "fashion-cnn" -> cnn(Boolean.parseBoolean(bn));
            default -> throw new UsageException(file + " holds an unknown example model '" + example
                    + "' (expected fashion-mlp or fashion-cnn)");
        };
    }

    /**
     * {@code net} behind the normalization its training data had (mean and standard deviation of the pixels), so
     * that the model takes raw [0, 1] pixels: what a compiled model file and a server receive.
     */
    public static Module withInputNormalization(Module net) {
        return new NormalizedInput(net, FashionData.MEAN, FashionData.STD);
    }

    /** {@code model((x - mean) / std)}; mean and std are buffers, so a trace stores them as named tensors. */
    static final class NormalizedInput extends Module {
        private final Module model;

        NormalizedInput(Module model, double mean, double std) {
            registerBuffer("mean", Tensor.full(mean, 1, 1, 1, 1));
            registerBuffer("std", Tensor.full(std, 1, 1, 1, 1));
            this.model = registerModule("model", model);
        }

        @Override
        public Tensor forward(Tensor input) {
            return model.call(input.sub(buffer("mean")).div(buffer("std")));
        }
    }

    /** Flatten, 784-256-ReLU-128-ReLU-10 (235,146 parameters). */
    public static Module mlp() {
        return new Sequential(
                new Flatten(),
                new Linear(28 * 28, 256), Activation.relu(),
                new Linear(256, 128), Activation.relu(),
                new Linear(128, 10));
    }

    /**
     * conv(1→32, 3×3, pad 1)-ReLU-maxpool2-conv(32→64, 3×3, pad 1)-ReLU-maxpool2-flatten-linear(3136→128)-ReLU-linear(10)
     * (421,642 parameters). With {@code batchNorm}: BatchNorm2d after each convolution and BatchNorm1d
     * after the 128-unit linear layer, each before its ReLU.
     */
    public static Module cnn(boolean batchNorm) {
        Sequential net = new Sequential();
        net.add(new Conv2d(1, 32, 3, 1, 1));
        if (batchNorm) {
            net.add(new BatchNorm2d(32));
        }
        net.add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Conv2d(32, 64, 3, 1, 1));
        if (batchNorm) {
            net.add(new BatchNorm2d(64));
        }
        net.add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Flatten()).add(new Linear(64 * 7 * 7, 128));
        if (batchNorm) {
            net.add(new BatchNorm1d(128));
        }
        net.add(Activation.relu()).add(new Linear(128, 10));
        return net;
    }
}
