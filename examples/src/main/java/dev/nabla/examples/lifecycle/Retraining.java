package dev.nabla.examples.lifecycle;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.TensorDataset;
import dev.nabla.examples.UsageException;
import dev.nabla.examples.fashion.FashionModels;
import dev.nabla.examples.inference.Measurements;
import dev.nabla.examples.inference.SlimmingRecipe;
import dev.nabla.inference.Slimming;
import dev.nabla.inference.format.LoadedModel;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.optim.CosineAnnealingLR;
import dev.nabla.serving.capture.CaptureReader;
import dev.nabla.serving.capture.LabelledSample;
import dev.nabla.serving.drift.ReferenceSample;
import dev.nabla.train.Checkpoint;
import dev.nabla.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One turn of the retraining loop: the serving version's training checkpoint is fine-tuned on the labelled requests
 * captured in production, mixed with the original training data, slimmed by the same recipe as the serving model,
 * and published as a new version only if it beats the serving one on the most recent labelled requests, which the
 * fine-tune never sees.
 */
public final class Retraining {
    /** Images in a version's drift reference. */
    static final int REFERENCE_SIZE = 2_000;
    /** What a retraining run does; see {@link #defaults()}. */
    public record Settings(int epochs, double lr, double heldOutShare, int minLabelled, int maxLabelled,
                           double capturedShare, long seed) {
        public Settings {
            if (epochs <= 0 || !(lr > 0) || Double.isInfinite(lr) || !(heldOutShare > 0 && heldOutShare < 1)
                    || minLabelled < 2 || maxLabelled < minLabelled || !(capturedShare > 0 && capturedShare < 1)) {
                throw new IllegalArgumentException("retraining settings out of range: " + this);
            }
        }

        /**
         * Three epochs at Adam 1e-3 annealed to 0, the newest 30% of the labelled requests held out for the promotion
         * decision, and the captured requests repeated until they make half of each epoch, so that a few hundred of
         * them weigh against thousands of original images. In the lifecycle demo on the embedded sample (contrast
         * drift, 315 captured requests learned from; clean stream 0.820) the drifted stream recovered to 0.840;
         * with 2 epochs at 5e-4 to 0.807, and with a quarter share to 0.800.
         */
        public static Settings defaults() {
            return new Settings(3, 1e-3, 0.3, 50, 100_000, 0.5, 42);
        }

        public Settings withEpochs(int n) {
            return new Settings(n, lr, heldOutShare, minLabelled, maxLabelled, capturedShare, seed);
        }

        public Settings withCapturedShare(double share) {
            return new Settings(epochs, lr, heldOutShare, minLabelled, maxLabelled, share, seed);
        }
    }

    /** What happened: the two accuracies on the held-out requests, and the new version if one was published. */
    public record Outcome(String model, long servingVersion, double servingAccuracy, double candidateAccuracy,
                          long publishedVersion, int fineTuneRequests, int heldOutRequests, int originalExamples,
                          String slimmedStage, double seconds) {
        public boolean promoted() {
            return publishedVersion > 0;
        }
    }

    private final Path repository;
    private final String model;
    private final Settings settings;
    private final Consumer<String> log;

    public Retraining(Path repository, String model, Settings settings, Consumer<String> log) {
        this.repository = repository;
        this.model = model;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Retrains from the newest version of the model on the store's labelled requests and the original training
     * images ({@code original}: raw pixels in [0, 1], as the served model takes them).
     */
    public Outcome run(CaptureReader store, Dataset original) {
        long started = System.nanoTime();
        long serving = ModelVersions.newest(repository, model).orElseThrow(() -> new UsageException(
                "no version of model '" + model + "' in " + repository + " to retrain"));
        Path servingDir = ModelVersions.directory(repository, model, serving);
        Path checkpointFile = servingDir.resolve(ModelVersions.CHECKPOINT);
        if (!Files.isRegularFile(checkpointFile)) {
            throw new UsageException(servingDir + " has no " + ModelVersions.CHECKPOINT
                    + ": retraining continues from the serving version's training checkpoint");
        }
        LoadedModel servingModel = ModelFile.read(servingDir.resolve(ModelVersions.MODEL));
        SlimmingRecipe recipe;
        try {
            recipe = SlimmingRecipe.fromMetadata(servingModel.metadata());
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new UsageException(servingDir.resolve(ModelVersions.MODEL) + ": " + e.getMessage());
        }

        List<LabelledSample> labelled = store.labelled(model, settings.maxLabelled());
        if (labelled.size() < settings.minLabelled()) {
            throw new UsageException("model '" + model + "' has " + labelled.size() + " labelled requests in the "
                    + "capture store; retraining needs at least " + settings.minLabelled() + " (send feedback first)");
        }
        // newest first: the newest share is held out, the rest is learned from
        int heldOutCount = Math.max(1, (int) Math.round(labelled.size() * settings.heldOutShare()));
        TensorDataset heldOut = dataset(labelled.subList(0, heldOutCount));
        TensorDataset captured = dataset(labelled.subList(heldOutCount, labelled.size()));
        log.accept(String.format(Locale.ROOT, "retraining %s from version %d: %d labelled requests (%d to learn from, "
                + "the newest %d held out) and %,d original training images", model, serving, labelled.size(),
                captured.size(), heldOut.size(), original.size()));

        Checkpoint checkpoint = Checkpoint.load(checkpointFile);
        Module trained = FashionModels.fromMetadata(checkpointFile, checkpoint.metadata());
        try {
            trained.loadStateDict(checkpoint.modelState(), true);
        } catch (ShapeException | IllegalArgumentException e) {
            throw new UsageException(checkpointFile + ": its weights do not fit the model it names: " + e.getMessage());
        }
        Module rawInput = FashionModels.withInputNormalization(trained);
        TensorDataset mix = mix(captured, original);
        fineTune(rawInput, mix);

        rawInput.eval();
        Slimming.Stage result = Slimming.result(recipe.configure(rawInput, mix, heldOut, line -> log.accept("  " + line))
                .run());
        double servingAccuracy;
        double candidateAccuracy;
        try (Predictor current = Predictor.of(servingModel.graph()); Predictor candidate = Predictor.of(result.graph())) {
            servingAccuracy = Measurements.accuracy(current::predict, heldOut);
            candidateAccuracy = Measurements.accuracy(candidate::predict, heldOut);
        }
        log.accept(String.format(Locale.ROOT, "held-out recent requests: serving version %d %.4f, retrained %.4f",
                serving, servingAccuracy, candidateAccuracy));

        long published = 0;
        if (candidateAccuracy > servingAccuracy) {
            published = publish(serving, servingModel, result, trained, checkpoint, mix);
            log.accept("promoted: version " + published + " published");
        } else {
            log.accept("not promoted: the retrained model does not beat the serving version on the held-out requests;"
                    + " version " + serving + " keeps serving");
        }
        return new Outcome(model, serving, servingAccuracy, candidateAccuracy, published, captured.size(),
                heldOut.size(), original.size(), result.name(), (System.nanoTime() - started) / 1e9);
    }

    /** Labelled requests as a dataset of [N, C, H, W] raw inputs and INT64 labels. */
    static TensorDataset dataset(List<LabelledSample> samples) {
        int[] shape = samples.get(0).inputShape();
        int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] inputs = new float[samples.size() * size];
        long[] labels = new long[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            LabelledSample s = samples.get(i);
            if (!Arrays.equals(s.inputShape(), shape)) {
                throw new UsageException("captured request " + s.requestId() + " has input shape "
                        + Arrays.toString(s.inputShape()) + ", others " + Arrays.toString(shape));
            }
            System.arraycopy(s.input(), 0, inputs, i * size, size);
            labels[i] = s.label();
        }
        int[] batchShape = new int[shape.length + 1];
        batchShape[0] = samples.size();
        System.arraycopy(shape, 0, batchShape, 1, shape.length);
        return new TensorDataset(TensorScope.escape(Tensor.of(inputs, batchShape)),
                TensorScope.escape(Tensor.of(labels, samples.size())));
    }

    /** The original images and the captured ones repeated to make {@code capturedShare} of the whole. */
    private TensorDataset mix(TensorDataset captured, Dataset original) {
        double share = settings.capturedShare();
        int repeats = Math.max(1, (int) Math.round(share / (1 - share) * original.size() / Math.max(1, captured.size())));
        try (var off = GradMode.noGrad()) {
            var all = Measurements.batch(original, 0, original.size());
            Tensor[] inputs = new Tensor[repeats + 1];
            Tensor[] labels = new Tensor[repeats + 1];
            inputs[0] = all.inputs();
            labels[0] = all.targets().to(DType.INT64);
            for (int r = 1; r <= repeats; r++) {
                inputs[r] = captured.inputs();
                labels[r] = captured.targets();
            }
            return new TensorDataset(TensorScope.escape(Tensor.cat(0, inputs)), TensorScope.escape(Tensor.cat(0, labels)));
        }
    }

    private void fineTune(Module rawInput, TensorDataset mix) {
        DataLoader loader = DataLoader.builder(mix).batchSize(128).shuffle(true).seed(settings.seed()).build();
        Adam adam = new Adam(rawInput.parameters(), settings.lr());
        Trainer trainer = Trainer.builder(rawInput, adam, new CrossEntropyLoss(), loader)
                .epochs(settings.epochs())
                .batchScheduler(new CosineAnnealingLR(adam, (long) settings.epochs() * loader.numBatches(), 0))
                .build();
        var history = trainer.fit();
        log.accept(String.format(Locale.ROOT, "fine-tuned %d epoch(s) on %,d images: train loss %.4f, accuracy %.4f",
                settings.epochs(), mix.size(), history.last().trainLoss(), history.last().trainAccuracy()));
    }

    /** Writes the new version's files into a temporary directory and publishes them as the next version. */
    private long publish(long serving, LoadedModel servingModel, Slimming.Stage result, Module trained,
                         Checkpoint checkpoint, TensorDataset mix) {
        Path staging;
        try {
            staging = Files.createTempDirectory("nabla-retrain");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory: " + e.getMessage(), e);
        }
        Map<String, String> metadata = new LinkedHashMap<>(servingModel.metadata());
        metadata.put("nabla.stage", result.name());
        metadata.put("nabla.retrained_from", Long.toString(serving));
        Path modelFile = staging.resolve(ModelVersions.MODEL);
        ModelFile.write(modelFile, result.graph(), metadata);

        Map<String, String> architecture = new LinkedHashMap<>();
        for (String key : List.of(FashionModels.KEY_EXAMPLE, FashionModels.KEY_BATCH_NORM, FashionModels.KEY_AUGMENT)) {
            String value = checkpoint.metadata().get(key);
            if (value != null) {
                architecture.put(key, value);
            }
        }
        architecture.put("nabla.retrained_from", Long.toString(serving));
        Path checkpointFile = staging.resolve(ModelVersions.CHECKPOINT);
        Checkpoint.save(checkpointFile, trained, null, null, 0, settings.seed(), architecture);

        Map<String, Path> files = new LinkedHashMap<>();
        files.put(ModelVersions.MODEL, modelFile);
        files.put(ModelVersions.CHECKPOINT, checkpointFile);
        // The new version's drift reference is what it was trained on: the original images and the captured ones.
        Path reference = staging.resolve(ModelVersions.REFERENCE);
        try (Predictor candidate = Predictor.of(result.graph())) {
            ReferenceSample.fromDataset(mix, FashionMnist.CLASSES.length, REFERENCE_SIZE, settings.seed())
                    .withPredictions(candidate, mix)
                    .withMetadata(Map.of("source", "retraining of version " + serving))
                    .write(reference);
        }
        files.put(ModelVersions.REFERENCE, reference);
        return ModelVersions.publish(repository, model, files);
    }
}
