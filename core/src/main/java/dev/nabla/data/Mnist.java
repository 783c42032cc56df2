package dev.nabla.data;

import java.nio.file.Path;

/**
 * MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 in 10 classes.
 * Looked up in: an explicit directory, {@code $NABLA_MNIST_DIR}, {@code /usr/share/datasets/mnist},
 * then an embedded sample at {@code nabla/datasets/mnist-sample} on the class path, if one is shipped.
 */
public final class Mnist {
    private static final ImageClassificationData DATA = new ImageClassificationData("MNIST", "NABLA_MNIST_DIR",
            Path.of("/usr/share/datasets/mnist"), "nabla/datasets/mnist-sample", 28, 28, 10);

    private Mnist() {
    }

    public static ImageClassificationData.Loaded load(ImageClassificationData.Split split, Path directory) {
        return DATA.load(split, directory);
    }
}
