package dev.nabla.data;

import java.nio.file.Path;

/**
 * Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28x28 clothing items in 10
 * classes. Looked up in: an explicit directory, {@code $NABLA_FASHION_MNIST_DIR}, Debian's
 * {@code dataset-fashion-mnist} package ({@code /usr/share/datasets/fashion-mnist}), then the
 * embedded sample shipped with {@code nabla-examples}.
 */
public final class FashionMnist {
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private static final ImageClassificationData DATA = new ImageClassificationData("Fashion-MNIST",
            "NABLA_FASHION_MNIST_DIR", Path.of("/usr/share/datasets/fashion-mnist"), "nabla/datasets/fashion-mnist-sample",
            28, 28, CLASSES.length);

    private FashionMnist() {
    }

    public static ImageClassificationData.Loaded load(ImageClassificationData.Split split, Path directory) {
        return DATA.load(split, directory);
    }

    /** The 10% sample embedded in {@code nabla-examples}, even when the full dataset is installed. */
    public static ImageClassificationData.Loaded sample(ImageClassificationData.Split split) {
        return DATA.loadSample(split);
    }

    public static ImageClassificationData.Loaded train() {
        return DATA.load(ImageClassificationData.Split.TRAIN, null);
    }

    public static ImageClassificationData.Loaded test() {
        return DATA.load(ImageClassificationData.Split.TEST, null);
    }
}
