package dev.nabla.examples.serving;

import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.serving.drift.ReferenceSample;

import java.util.Map;

/**
 * The drift reference of a Fashion-MNIST model: what {@code nabla drift --write-reference} writes, and what the
 * steps that put a model into a repository call to write {@code DIR/<name>/<version>/reference.safetensors}
 * next to its {@code model.nabla}.
 */
public final class FashionReference {
    /** Reference samples by default: enough for per-pixel tests against windows of a few hundred. */
    public static final int DEFAULT_SIZE = 2_000;

    private FashionReference() {
    }

    /**
     * {@code size} training images drawn with {@code seed}, and the class counts of {@code model}'s predictions on
     * all of {@code train} when a model is given (the better reference for the predicted-class test), else of the
     * training labels.
     *
     * @param source where the training data came from, recorded in the file's metadata
     */
    public static ReferenceSample create(Dataset train, String source, Predictor model, int size, long seed) {
        ReferenceSample reference = ReferenceSample.fromDataset(train, FashionMnist.CLASSES.length, size, seed)
                .withMetadata(Map.of("dataset", "Fashion-MNIST train", "source", source));
        return model == null ? reference : reference.withPredictions(model, train);
    }
}
