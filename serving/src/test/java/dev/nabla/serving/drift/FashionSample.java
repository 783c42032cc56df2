package dev.nabla.serving.drift;

import dev.nabla.data.FashionMnist;
import dev.nabla.data.ImageClassificationData.Split;
import dev.nabla.data.TensorDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST's embedded 10% sample (6,000 training and 1,000 test images) for the drift tests, read from the
 * examples module's sources: the serving module cannot depend on nabla-examples (examples depends on serving), and
 * the files are not copied.
 */
final class FashionSample {
    static final Path DIR = Path.of(System.getProperty("basedir", "."))
            .resolve("../examples/src/main/resources/nabla/datasets/fashion-mnist-sample").normalize();
    private static TensorDataset train;
    private static TensorDataset test;

    private FashionSample() {
    }

    static synchronized TensorDataset train() {
        if (train == null) {
            train = load(Split.TRAIN);
        }
        return train;
    }

    static synchronized TensorDataset test() {
        if (test == null) {
            test = load(Split.TEST);
        }
        return test;
    }

    private static TensorDataset load(Split split) {
        if (!Files.isDirectory(DIR)) {
            throw new IllegalStateException("the Fashion-MNIST sample is not at " + DIR);
        }
        return FashionMnist.load(split, DIR).dataset();
    }

    /** Images [from, to) of {@code data} as 784 floats each in [0, 1]. */
    static List<float[]> images(TensorDataset data, int from, int to) {
        float[] all = data.inputs().toFloatArray();
        List<float[]> images = new ArrayList<>();
        for (int i = from; i < to; i++) {
            float[] x = new float[784];
            System.arraycopy(all, i * 784, x, 0, 784);
            images.add(x);
        }
        return images;
    }

    /** Labels [from, to) as ints: the predictions of a classifier that is always right. */
    static int[] labels(TensorDataset data, int from, int to) {
        long[] all = data.targets().toLongArray();
        int[] labels = new int[to - from];
        for (int i = from; i < to; i++) {
            labels[i - from] = (int) all[i];
        }
        return labels;
    }
}
