package dev.nabla.benchmarks;

import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;

/**
 * The example models, built exactly as {@code dev.nabla.examples.fashion.FashionModels} builds them
 * (kept as a copy so the benchmarks depend on the library only); inputs [N, 1, 28, 28], 10 logits.
 */
final class Models {
    private Models() {
    }

    static Module of(String name) {
        return switch (name) {
            case "fashion-mlp" -> mlp();
            case "fashion-cnn" -> cnn();
            case "fashion-cnn-bn" -> cnnWithBatchNorm();
            default -> throw new IllegalArgumentException("unknown model " + name
                    + " (fashion-mlp, fashion-cnn, fashion-cnn-bn)");
        };
    }

    /** Flatten, 784-256-ReLU-128-ReLU-10 (235,146 parameters). */
    static Module mlp() {
        return new Sequential(
                new Flatten(),
                new Linear(28 * 28, 256), Activation.relu(),
                new Linear(256, 128), Activation.relu(),
                new Linear(128, 10));
    }

    /** conv(1→32, 3x3, pad 1)-ReLU-maxpool2-conv(32→64, 3x3, pad 1)-ReLU-maxpool2-flatten-linear(3136→128)-ReLU-linear(10). */
    static Module cnn() {
        Sequential net = new Sequential();
        net.add(new Conv2d(1, 32, 3, 1, 1)).add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Conv2d(32, 64, 3, 1, 1)).add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Flatten()).add(new Linear(64 * 7 * 7, 128)).add(Activation.relu()).add(new Linear(128, 10));
        return net;
    }

    /** The CNN with batch norms ({@code ./nabla fashion-cnn --bn}): one after each convolution and the 128-unit layer. */
    static Module cnnWithBatchNorm() {
        Sequential net = new Sequential();
        net.add(new Conv2d(1, 32, 3, 1, 1)).add(new BatchNorm2d(32)).add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Conv2d(32, 64, 3, 1, 1)).add(new BatchNorm2d(64)).add(Activation.relu()).add(new MaxPool2d(2));
        net.add(new Flatten()).add(new Linear(64 * 7 * 7, 128)).add(new BatchNorm1d(128)).add(Activation.relu())
                .add(new Linear(128, 10));
        return net;
    }
}
