package dev.nabla.examples.inference;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.autograd.GradMode;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.inference.Slimming;
import dev.nabla.inference.calibration.ActivationRanges;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.passes.PruningCriterion;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.inference.training.Distillation;
import dev.nabla.inference.training.GraphModule;
import dev.nabla.io.Json;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Loss;
import dev.nabla.nn.Module;
import dev.nabla.optim.Adam;
import dev.nabla.optim.CosineAnnealingLR;
import dev.nabla.train.Trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How {@code nabla optimize} slims a model: pruning, fine-tuning, int8. It is recorded in the model file
 * ({@value #METADATA_KEY}), so that {@code nabla retrain} slims a retrained model the same way as the one it replaces.
 *
 * @param prune          {@code --prune}'s value, or null
 * @param accuracyBudget {@code --accuracy-budget} in points, or null
 * @param calibration    training images for activation statistics
 * @param seed           the fine-tune's shuffling seed
 */
public record SlimmingRecipe(String prune, Double accuracyBudget, String criterion, int fineTuneEpochs,
                             double fineTuneLr, boolean distill, boolean int8, String int8Calibration,
                             double int8Percentile, int calibration, long seed) {
    public static final String METADATA_KEY = "nabla.recipe";
    /** The exact stages only: what a model file without a recipe went through. */
    public static final SlimmingRecipe EXACT = new SlimmingRecipe(null, null, "contribution", 0, 1e-3, true, false,
            "percentile", 99.99, 1024, 42);
    /**
     * Distillation in the fine-tune: temperature 2, half the loss from the labels. On the 15-epoch BN + augment CNN
     * pruned to half its parameters and FLOPs, one epoch: T 2 gave 0.9272 test accuracy, T 1 0.9266, T 4 0.9261
     * (L1 criterion); plain cross entropy 0.9218.
     */
    static final double TEMPERATURE = 2;
    static final double LABEL_WEIGHT = 0.5;

    /**
     * The slimming of {@code model} (which takes raw pixels), calibrated on {@code train} and gated on
     * {@code heldOut}; fine-tunes, when the recipe has them, train on {@code train}.
     */
    public Slimming configure(Module model, Dataset train, Dataset heldOut, Consumer<String> log) {
        Slimming slimming = Slimming.of(model, Tensor.zeros(1, 1, 28, 28))
                .calibration(calibrationBatches(train))
                .heldOut(graph -> Measurements.accuracy(Predictor.of(graph)::predict, heldOut))
                .criterion(PruningCriterion.parse(criterion))
                .int8(int8)
                .int8Ranges(ActivationRanges.Method.parse(int8Calibration), int8Percentile)
                .log(log);
        if (prune != null) {
            PruneRatios ratios = PruneRatios.parse(prune);
            slimming.prune(ratios.uniform(), ratios.perLayer());
        } else if (accuracyBudget != null) {
            slimming.budget(accuracyBudget).pruneWithinBudget();
        }
        if (fineTuneEpochs > 0) {
            slimming.fineTune((graph, teacher) -> fineTune(graph, teacher, train, log));
        }
        return slimming;
    }

    /** The first {@code calibration} training images in batches of 256. */
    private List<Tensor> calibrationBatches(Dataset train) {
        List<Tensor> batches = new ArrayList<>();
        int n = Math.min(calibration, train.size());
        for (int start = 0; start < n; start += 256) {
            batches.add(TensorScope.escape(Measurements.batch(train, start, Math.min(256, n - start)).inputs()));
        }
        return batches;
    }

    /**
     * A short fine-tune of a pruned graph's weights on the training data: Adam at {@code fineTuneLr} annealed to 0
     * along a cosine, batch 128, distilled from the exact stage when {@code distill}. No augmentation, even for a
     * model trained with it: one augmented epoch recovered less (0.9216-0.9228 against 0.9261-0.9272 test accuracy
     * in the measurements above). The graph takes raw pixels, so the batches are not normalized here.
     */
    private Graph fineTune(Graph graph, Graph teacher, Dataset train, Consumer<String> log) {
        GraphModule module = new GraphModule(graph);
        DataLoader loader = DataLoader.builder(train).batchSize(128).shuffle(true).seed(seed).build();
        Adam adam = new Adam(module.parameters(), fineTuneLr);
        try (Distillation distillation = distill ? new Distillation(module, teacher, TEMPERATURE, LABEL_WEIGHT) : null) {
            Module trained = distill ? distillation.module() : module;
            Loss loss = distill ? distillation.loss() : new CrossEntropyLoss();
            Trainer trainer = Trainer.builder(trained, adam, loss, loader)
                    .epochs(fineTuneEpochs)
                    .batchScheduler(new CosineAnnealingLR(adam, (long) fineTuneEpochs * loader.numBatches(), 0))
                    .build();
            var history = trainer.fit();
            log.accept(String.format(Locale.ROOT, "fine-tuned %d epoch(s)%s: train loss %.4f, accuracy %.4f",
                    fineTuneEpochs, distill ? ", distilled from the exact stage" : "", history.last().trainLoss(),
                    history.last().trainAccuracy()));
        }
        try (var off = GradMode.noGrad()) {
            return module.toGraph();
        }
    }

    /** The recipe as the JSON stored in a model file's metadata. */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("prune", prune);
        json.put("accuracy_budget", accuracyBudget);
        json.put("criterion", criterion);
        json.put("fine_tune_epochs", (long) fineTuneEpochs);
        json.put("fine_tune_lr", fineTuneLr);
        json.put("distill", distill);
        json.put("int8", int8);
        json.put("int8_calibration", int8Calibration);
        json.put("int8_percentile", int8Percentile);
        json.put("calibration", (long) calibration);
        json.put("seed", seed);
        return Json.write(json);
    }

    /**
     * The recipe a model file's metadata records, or {@link #EXACT} when it records none.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static SlimmingRecipe fromMetadata(Map<String, String> metadata) {
        String text = metadata.get(METADATA_KEY);
        if (text == null) {
            return EXACT;
        }
        if (!(Json.parse(text) instanceof Map<?, ?> json)) {
            throw new IllegalArgumentException(METADATA_KEY + " is not a JSON object");
        }
        SlimmingRecipe recipe = new SlimmingRecipe(optionalString(json, "prune"),
                json.get("accuracy_budget") == null ? null : number(json, "accuracy_budget"),
                (String) require(json, "criterion", String.class), (int) number(json, "fine_tune_epochs"),
                number(json, "fine_tune_lr"), (Boolean) require(json, "distill", Boolean.class),
                (Boolean) require(json, "int8", Boolean.class),
                (String) require(json, "int8_calibration", String.class), number(json, "int8_percentile"),
                (int) number(json, "calibration"), (long) number(json, "seed"));
        recipe.check();
        return recipe;
    }

    /** Refuses values the slimming cannot use, naming the first. */
    public void check() {
        if (prune != null) {
            PruneRatios.parse(prune);
        }
        PruningCriterion.parse(criterion);
        ActivationRanges.Method.parse(int8Calibration);
        if (fineTuneEpochs < 0 || !(fineTuneLr > 0) || calibration <= 0 || !(int8Percentile > 0 && int8Percentile <= 100)
                || (accuracyBudget != null && !(accuracyBudget >= 0 && accuracyBudget <= 100))) {
            throw new IllegalArgumentException("slimming recipe out of range: " + this);
        }
    }

    private static String optionalString(Map<?, ?> json, String key) {
        Object v = json.get(key);
        return v == null ? null : (String) require(json, key, String.class);
    }

    private static double number(Map<?, ?> json, String key) {
        return ((Number) require(json, key, Number.class)).doubleValue();
    }

    private static Object require(Map<?, ?> json, String key, Class<?> type) {
        Object v = json.get(key);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(METADATA_KEY + "." + key + " must be a " + type.getSimpleName()
                    + ", found " + v);
        }
        return v;
    }
}
