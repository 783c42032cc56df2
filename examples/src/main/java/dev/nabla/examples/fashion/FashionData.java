package dev.nabla.examples.fashion;

import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.ImageClassificationData.Loaded;
import dev.nabla.data.ImageClassificationData.Split;
import dev.nabla.data.TensorDataset;

import java.nio.file.Path;

/** The Fashion-MNIST splits a command trains and tests on, and where they came from. */
public record FashionData(Dataset train, Dataset test, int fullTrainSize, int fullTestSize, String source,
                   boolean isSample) {
    /** Per-pixel mean and standard deviation of the Fashion-MNIST training images in [0, 1]. */
    public static final double MEAN = 0.2860;
    public static final double STD = 0.3530;

    /**
     * Loads both splits through {@link FashionMnist#load} (explicit directory, environment variable,
     * Debian package, embedded sample), or the embedded sample when {@code forceSample}; then keeps
     * the first {@code limitTrain} / {@code limitTest} examples when those are positive.
     */
    public static FashionData load(Path dataDir, boolean forceSample, int limitTrain, int limitTest) {
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

    /** The embedded sample even when a full copy is installed; this is what {@code --sample} uses. */
    static Loaded sample(Split split) {
        return FashionMnist.sample(split);
    }
}
