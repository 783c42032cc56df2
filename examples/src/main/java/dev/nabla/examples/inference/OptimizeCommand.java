package dev.nabla.examples.inference;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.cpu.CpuBackend;
import dev.nabla.data.Dataset;
import dev.nabla.data.FashionMnist;
import dev.nabla.examples.UsageException;
import dev.nabla.examples.fashion.DataOptions;
import dev.nabla.examples.fashion.FashionData;
import dev.nabla.examples.fashion.FashionModels;
import dev.nabla.inference.Slimming;
import dev.nabla.inference.calibration.ActivationRanges;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphStats;
import dev.nabla.inference.onnx.OnnxExport;
import dev.nabla.inference.passes.PruningCriterion;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.inference.training.Distillation;
import dev.nabla.inference.training.GraphModule;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.Json;
import dev.nabla.nn.Module;
import dev.nabla.train.Checkpoint;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * {@code nabla optimize}: a trained example checkpoint through the inference compiler (trace, exact passes, optional
 * pruning and int8), one compact {@code .nabla} file, and a before/after report of every stage.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Slim a trained Fashion-MNIST checkpoint into one compact model file: trace it, fold and fuse "
                + "layers (exact), optionally remove channels (--prune or --accuracy-budget, measured on held-out "
                + "images) and store weights as int8 (--int8). Prints and writes a report of every stage: "
                + "parameters, file size, MFLOPs, test accuracy, latency."})
public final class OptimizeCommand implements Callable<Integer> {
    /** Held-out images for the accuracy gate: the first ones of the test split, never used for calibration. */
    static final int HELD_OUT = 5_000;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "PATH", required = true,
            description = "A checkpoint written by ./nabla fashion-mlp or fashion-cnn (it records the model).")
    Path checkpoint;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The compact model file to write.")
    Path out;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Where the JSON report goes (default: the output file with .report.json).")
    Path report;

    @Option(names = "--calibration", paramLabel = "N", defaultValue = "1024",
            description = "Training images to gather activation statistics on (default: ${DEFAULT-VALUE}).")
    int calibration;

    static final class Pruning {
        @Option(names = "--prune", paramLabel = "RATIO",
                description = "Remove this share of every prunable layer's channels, e.g. 0.3; per layer with the "
                        + "layer's module path, e.g. model.0=0.5,model.4=0.25 (other layers: the plain number, or 0).")
        String ratio;

        @Option(names = "--accuracy-budget", paramLabel = "POINTS",
                description = "Search the largest pruning ratio that loses at most this many points of held-out "
                        + "accuracy, e.g. 0.3.")
        Double budget;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Pruning pruning;

    @Option(names = "--criterion", paramLabel = "NAME", defaultValue = "contribution",
            description = "How pruning ranks channels: l1 (weight magnitude), zeros (how often a unit is 0), contribution "
                    + "(mean activation times the next layer's weights on it) or bn-scale "
                    + "(the batch norm's scale) (default: ${DEFAULT-VALUE}).")
    String criterion;

    @Option(names = "--fine-tune", paramLabel = "EPOCHS", defaultValue = "0",
            description = "Fine-tune the pruned model for this many epochs on the training data (default: 0).")
    int fineTuneEpochs;

    @Option(names = "--fine-tune-lr", paramLabel = "RATE", defaultValue = "1e-3",
            description = "Peak Adam learning rate of the fine-tune, annealed to 0 (default: ${DEFAULT-VALUE}).")
    double fineTuneLr;

    @Option(names = "--distill", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Fine-tune toward the unpruned model's outputs as well as the labels (default: on).")
    boolean distill;

    @Option(names = "--int8", description = "Store weights as int8 (per-channel scales); linear layers also "
            + "compute in int8, on inputs quantized with a range from the calibration images.")
    boolean int8;

    @Option(names = "--int8-calibration", paramLabel = "METHOD", defaultValue = "percentile",
            description = "How linear layers' int8 input scales come from the calibration data: minmax (the largest "
                    + "magnitude) or percentile (--int8-percentile of the magnitudes) (default: ${DEFAULT-VALUE}).")
    String int8Calibration;

    @Option(names = "--int8-percentile", paramLabel = "P", defaultValue = "99.99",
            description = "Percentile of input magnitudes an int8 scale covers (default: ${DEFAULT-VALUE}).")
    double int8Percentile;

    @Option(names = "--onnx", paramLabel = "DIR", description = "Also write every float stage as DIR/<stage>.onnx.")
    Path onnxDir;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--latency-runs", paramLabel = "N", defaultValue = "300",
            description = "Timed calls per latency measurement at batch 1 (a tenth as many at batch 256).")
    int latencyRuns;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed for fine-tuning's shuffling.")
    long seed;

    @Override
    public Integer call() {
        validate();
        PrintWriter log = spec.commandLine().getOut();
        long started = System.nanoTime();
        dataOptions.applyThreads();
        Checkpoint saved = Checkpoint.load(checkpoint);
        Module trained = FashionModels.fromMetadata(checkpoint, saved.metadata());
        String example = saved.metadata().get(FashionModels.KEY_EXAMPLE);
        try {
            trained.loadStateDict(saved.modelState(), true);
        } catch (ShapeException | IllegalArgumentException e) {
            throw new UsageException("--checkpoint " + checkpoint + ": its weights do not fit the model its metadata "
                    + "names (" + example + "): " + e.getMessage());
        }
        Module model = FashionModels.withInputNormalization(trained);
        model.eval();
        log.printf(Locale.ROOT, "Model: %s from %s (%,d parameters)%n", example, checkpoint, trained.numParameters());

        FashionData data = dataOptions.load();
        Dataset test = data.test();
        Dataset heldOut = test.head(Math.min(HELD_OUT, Math.max(1, test.size() / 2)));
        log.printf(Locale.ROOT, "Data: %s; calibration on %,d training images, gate on the first %,d test images, "
                + "report on all %,d test images%n", data.source(), Math.min(calibration, data.train().size()),
                heldOut.size(), test.size());
        if (data.isSample()) {
            log.println("NOTE: the embedded 10% sample, not the full dataset: accuracies are lower than on the full data.");
        }

        // the eager model is measured first, as a user's process runs it: after a fine-tune in this JVM its
        // elementwise batch-norm ops ran several times slower at batch 256 (225 ms against 27 ms), which would
        // misstate the "before" column
        log.println("Measuring the eager model on " + test.size() + " test images ...");
        log.flush();
        Graph traced = dev.nabla.inference.capture.GraphCapture.trace(model, Tensor.zeros(1, 1, 28, 28));
        Map<String, Object> eagerEntry = StageReport.eager(model, trained.numParameters(), traced, test, latencyRuns);

        SlimmingRecipe recipe = recipe();
        Slimming slimming = recipe.configure(model, data.train(), heldOut, line -> {
            log.println("  " + line);
            log.flush();
        });
        List<Slimming.Stage> stages = slimming.run();
        Slimming.Stage result = Slimming.result(stages);

        log.println("Measuring every stage on " + test.size() + " test images ...");
        UnaryOperator<Tensor> eager = x -> model.call(x);
        log.flush();
        List<Map<String, Object>> entries = new ArrayList<>();
        entries.add(eagerEntry);
        for (Slimming.Stage stage : stages.subList(1, stages.size())) {
            entries.add(StageReport.stage(stage, eager, test, latencyRuns));
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("nabla.example", example);
        metadata.put("nabla.stage", result.name());
        metadata.put("nabla.source_checkpoint", checkpoint.toString());
        metadata.put("nabla.input", "raw pixels in [0, 1], [N, 1, 28, 28]");
        metadata.put("nabla.labels", Json.write(List.of(FashionMnist.CLASSES)));
        metadata.put(SlimmingRecipe.METADATA_KEY, recipe.toJson());
        ModelFile.write(out, result.graph(), metadata);
        if (onnxDir != null) {
            for (Slimming.Stage stage : stages) {
                if (stage.accepted() && !stage.name().equals("int8")) {
                    String name = stage.name().equals("captured") ? "eager" : stage.name();
                    OnnxExport.write(stage.graph(), onnxDir.resolve(name + ".onnx"));
                }
            }
        }

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", example);
        json.put("checkpoint", checkpoint.toString());
        json.put("output", out.toString());
        json.put("result_stage", result.name());
        json.put("data_source", data.source());
        json.put("data_is_sample", data.isSample());
        json.put("test_samples", test.size());
        json.put("held_out_samples", heldOut.size());
        json.put("calibration_samples", Math.min(calibration, data.train().size()));
        json.put("prune", pruning == null ? null : pruning.ratio != null ? pruning.ratio : "budget " + pruning.budget);
        json.put("criterion", criterion);
        json.put("fine_tune_epochs", fineTuneEpochs);
        json.put("fine_tune_lr", fineTuneLr);
        json.put("int8_calibration", int8 ? int8Calibration + (int8Calibration.equals("percentile") ? " "
                + int8Percentile : "") : null);
        json.put("int8_arithmetic", int8 ? "linear layers: int8 products (int32 sums) at up to "
                + CpuBackend.quantizedLinearInt8Rows() + " rows per call, float products on the int8-quantized input "
                + "above; convolutions: int8 storage, float arithmetic on weights dequantized at load" : null);
        json.put("threads", CpuBackend.threads());
        json.put("stages", entries);
        json.put("total_seconds", (System.nanoTime() - started) / 1e9);
        json.put("java_version", Runtime.version().toString());
        json.put("finished_at", Instant.now().toString());
        Path reportFile = report != null ? report : defaultReport(out);
        AtomicFiles.writeString(reportFile, Json.writePretty(json));

        log.println();
        log.print(StageReport.table(entries));
        for (Slimming.Stage stage : stages) {
            for (String change : stage.changes()) {
                log.println("  [" + stage.name() + "] " + change);
            }
            if (!stage.accepted()) {
                log.println("  [" + stage.name() + "] REFUSED: " + stage.refused());
            }
        }
        log.println("Wrote " + out.toAbsolutePath().normalize() + " (stage '" + result.name() + "') and "
                + reportFile.toAbsolutePath().normalize());
        log.flush();
        return 0;
    }

    /** What the options ask for, as the model file records it. */
    private SlimmingRecipe recipe() {
        return new SlimmingRecipe(pruning == null ? null : pruning.ratio, pruning == null ? null : pruning.budget,
                criterion, fineTuneEpochs, fineTuneLr, distill, int8, int8Calibration, int8Percentile, calibration, seed);
    }

    private static Path defaultReport(Path out) {
        String name = out.getFileName().toString();
        String base = name.endsWith(".nabla") ? name.substring(0, name.length() - 6) : name;
        return out.resolveSibling(base + ".report.json");
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (calibration <= 0) {
            problems.add("--calibration must be positive, found " + calibration);
        }
        if (pruning != null && pruning.ratio != null) {
            try {
                PruneRatios.parse(pruning.ratio);
            } catch (IllegalArgumentException e) {
                problems.add("--prune: " + e.getMessage());
            }
        }
        if (pruning != null && pruning.budget != null && !(pruning.budget >= 0 && pruning.budget <= 100)) {
            problems.add("--accuracy-budget must be 0 to 100 points, found " + pruning.budget);
        }
        if (fineTuneEpochs < 0) {
            problems.add("--fine-tune must be 0 or positive, found " + fineTuneEpochs);
        }
        if (!(fineTuneLr > 0) || Double.isInfinite(fineTuneLr)) {
            problems.add("--fine-tune-lr must be a positive number, found " + fineTuneLr);
        }
        if (fineTuneEpochs > 0 && pruning == null) {
            problems.add("--fine-tune needs --prune or --accuracy-budget (it fine-tunes the pruned model)");
        }
        if (latencyRuns < 10) {
            problems.add("--latency-runs must be at least 10, found " + latencyRuns);
        }
        dataOptions.check(problems);
        try {
            PruningCriterion.parse(criterion);
        } catch (IllegalArgumentException e) {
            problems.add("--criterion: " + e.getMessage());
        }
        try {
            ActivationRanges.Method.parse(int8Calibration);
        } catch (IllegalArgumentException e) {
            problems.add("--int8-calibration: " + e.getMessage());
        }
        if (!(int8Percentile > 0 && int8Percentile <= 100)) {
            problems.add("--int8-percentile must be in (0, 100], found " + int8Percentile);
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
        if (!java.nio.file.Files.isRegularFile(checkpoint)) {
            throw new UsageException("--checkpoint " + checkpoint + ": no such file");
        }
    }
}
