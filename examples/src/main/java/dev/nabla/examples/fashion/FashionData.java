package dev.nabla.examples.fashion;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.IdxReader;
import dev.nabla.data.ImageClassificationData.Loaded;
import dev.nabla.data.ImageClassificationData.Split;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.FileFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The Fashion-MNIST splits a command trains and tests on, and where they came from. */
record FashionData(Dataset train, Dataset test, int fullTrainSize, int fullTestSize, String source,
                   boolean isSample) {
    /** Class-path folder of the embedded sample (this module's resources). */
    static final String SAMPLE_RESOURCE = "nabla/datasets/fashion-mnist-sample";

    /** Per-pixel mean and standard deviation of the Fashion-MNIST training images in [0, 1]. */
    static final double MEAN = 0.2860;
    static final double STD = 0.3530;

    /**
     * Loads both splits through {@link FashionMnist#load} (explicit directory, environment variable,
     * Debian package, embedded sample), or the embedded sample when {@code forceSample}; then keeps
     * the first {@code limitTrain} / {@code limitTest} examples when those are positive.
     */
    static FashionData load(Path dataDir, boolean forceSample, int limitTrain, int limitTest) {
        Loaded train;
        Loaded test;
        if (forceSample) {
            train = sample(Split.TRAIN);
            test = sample(Split.TEST);
        } else {
            train = FashionMnist.load(Split.TRAIN, dataDir);
            test = FashionMnist.load(Split.TEST, dataDir);
        }
        TensorDataset fullTrain = train.dataset();
        TensorDataset fullTest = test.dataset();
        Dataset trainSet = limitTrain > 0 ? fullTrain.head(limitTrain) : fullTrain;
        Dataset testSet = limitTest > 0 ? fullTest.head(limitTest) : fullTest;
        return new FashionData(trainSet, testSet, fullTrain.size(), fullTest.size(), train.source(),
                train.isSample() || test.isSample());
    }

    /**
     * The embedded sample, read from the class path even when a full copy is installed. Core's
     * lookup only falls back to it; this is what {@code --sample} uses.
     */
    static Loaded sample(Split split) {
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Tensor images = resource(prefix + "-images-idx3-ubyte.gz");
        Tensor labels = resource(prefix + "-labels-idx1-ubyte.gz");
        if (images.rank() != 3 || labels.rank() != 1 || images.size(0) != labels.size(0)) {
            throw new FileFormatException(Path.of("classpath:" + SAMPLE_RESOURCE), "embedded sample has images "
                    + java.util.Arrays.toString(images.shape()) + " and labels " + java.util.Arrays.toString(labels.shape()));
        }
        TensorDataset dataset = new TensorDataset(IdxReader.toUnitFloat(images).unsqueeze(1), labels.to(DType.INT64));
        return new Loaded(dataset, "embedded sample (classpath:" + SAMPLE_RESOURCE + ")", true);
    }

    private static Tensor resource(String file) {
        String name = SAMPLE_RESOURCE + "/" + file;
        try (InputStream in = FashionData.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new FileFormatException(Path.of("classpath:" + name), "embedded sample missing from the class path");
            }
            return IdxReader.read(Path.of("classpath:" + name), in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read classpath:" + name, e);
        }
    }
}
