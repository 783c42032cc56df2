package dev.nabla.examples.fashion;

import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;

/** The Fashion-MNIST models of the examples; inputs are [N, 1, 28, 28], outputs 10 logits. */
public final class FashionModels {
    private FashionModels() {
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
