package dev.nabla.examples.serving;

import dev.nabla.examples.UsageException;
import dev.nabla.examples.fashion.DataOptions;
import dev.nabla.examples.fashion.FashionData;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.Json;
import dev.nabla.serving.capture.CaptureReader;
import dev.nabla.serving.capture.CaptureStoreException;
import dev.nabla.serving.capture.CapturedSample;
import dev.nabla.serving.drift.DriftConfig;
import dev.nabla.serving.drift.DriftDetector;
import dev.nabla.serving.drift.DriftException;
import dev.nabla.serving.drift.DriftReport;
import dev.nabla.serving.drift.ReferenceSample;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code nabla drift}: tests a served model's newest captured samples against its training reference, or writes
 * such a reference ({@code --write-reference}).
 */
@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Test whether a served model's inputs and predicted classes have drifted from its training "
                + "data: a Kolmogorov-Smirnov test per input feature (Benjamini-Hochberg corrected) and a chi-squared "
                + "test of the predicted classes, on the newest samples of the capture store.",
                "Or, with --write-reference, write the reference file of a Fashion-MNIST model."},
        footer = {"", "Examples:",
                "  nabla drift --write-reference models/fashion/1/reference.safetensors \\",
                "      --predictions-of models/fashion/1/model.nabla",
                "  nabla drift --store models/capture.db --model fashion \\",
                "      --reference models/fashion/1/reference.safetensors --json drift.json"})
public final class DriftCommand implements Callable<Integer> {
    /** The exit code of {@code --fail-on-alarm} when a test alarms. */
    static final int ALARM_EXIT_CODE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--store", paramLabel = "STORE",
            description = "The capture store: a SQLite file (the server's capture.db) or a JDBC URL.")
    String store;

    @Option(names = "--model", paramLabel = "NAME", description = "The served model's name.")
    String model;

    @Option(names = "--model-version", paramLabel = "V",
            description = "Test this model version's samples only (default: every version's).")
    String version;

    @Option(names = "--reference", paramLabel = "FILE",
            description = "The model's reference.safetensors (from --write-reference).")
    Path reference;

    @Option(names = "--window", paramLabel = "N",
            description = "Test the newest N captured samples (default: ${DEFAULT-VALUE}).")
    int window = DriftConfig.DEFAULT.window();

    @Option(names = "--alpha", paramLabel = "A",
            description = "Significance level of each test (default: ${DEFAULT-VALUE}).")
    double alpha = DriftConfig.DEFAULT.alpha();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON.")
    Path json;

    @Option(names = "--fail-on-alarm",
            description = "Exit with code " + ALARM_EXIT_CODE + " when a test alarms (for scripts and CI).")
    boolean failOnAlarm;

    @Option(names = "--write-reference", paramLabel = "FILE",
            description = "Write the drift reference of a Fashion-MNIST model instead of testing.")
    Path writeReference;

    @Option(names = "--reference-size", paramLabel = "N", defaultValue = "" + FashionReference.DEFAULT_SIZE,
            description = "Training images in the reference (default: ${DEFAULT-VALUE}).")
    int referenceSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the reference's random sample (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--predictions-of", paramLabel = "MODEL",
            description = "A .nabla model: the reference's class counts become its predictions on the training data "
                    + "(recommended) instead of the training labels.")
    Path predictionsOf;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() {
        check();
        try {
            return writeReference != null ? writeReference() : test();
        } catch (CaptureStoreException | DriftException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private void check() {
        List<String> problems = new ArrayList<>();
        if (writeReference != null) {
            if (store != null || model != null || reference != null || json != null || failOnAlarm) {
                problems.add("--write-reference writes a reference; --store, --model, --reference, --json and "
                        + "--fail-on-alarm test one, so they cannot be combined with it");
            }
            if (referenceSize < 2 || referenceSize > ReferenceSample.MAX_SIZE) {
                problems.add("--reference-size must be 2 to " + ReferenceSample.MAX_SIZE + ", found " + referenceSize);
            }
            data.check(problems);
        } else {
            for (String[] required : new String[][]{{"--store", store}, {"--model", model},
                    {"--reference", reference == null ? null : reference.toString()}}) {
                if (required[1] == null) {
                    problems.add("missing " + required[0] + " (or use --write-reference FILE)");
                }
            }
            if (window < 2) {
                problems.add("--window must be at least 2, found " + window);
            }
            if (!(alpha > 0 && alpha < 1)) {
                problems.add("--alpha must be between 0 and 1, found " + alpha);
            }
            if (predictionsOf != null) {
                problems.add("--predictions-of goes with --write-reference");
            }
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private int writeReference() {
        data.applyThreads();
        PrintWriter out = spec.commandLine().getOut();
        FashionData fashion = data.load();
        ReferenceSample ref;
        if (predictionsOf != null) {
            try (Predictor model = Predictor.load(predictionsOf)) {
                ref = FashionReference.create(fashion.train(), fashion.source(), model, referenceSize, seed);
            }
        } else {
            ref = FashionReference.create(fashion.train(), fashion.source(), null, referenceSize, seed);
        }
        ref.write(writeReference);
        out.printf(Locale.ROOT, "Wrote %s: %,d of %,d training images (%s), class counts of the %s: %s%n",
                writeReference, ref.size(), fashion.train().size(), fashion.source(),
                ref.classSource() == ReferenceSample.ClassSource.PREDICTIONS ? "model's predictions" : "labels",
                Arrays.toString(ref.classCounts()));
        out.flush();
        return 0;
    }

    private int test() {
        if (!Files.isRegularFile(reference)) {
            throw new UsageException("--reference " + reference + ": no such file");
        }
        ReferenceSample ref = ReferenceSample.read(reference);
        DriftConfig config = DriftConfig.DEFAULT.withWindow(window).withAlpha(alpha);
        DriftReport report;
        try (CaptureReader reader = CaptureReader.open(store)) {
            List<String> models = reader.models();
            if (!models.contains(model)) {
                throw new UsageException("--model " + model + ": no captured samples in " + store
                        + (models.isEmpty() ? " (the store is empty)" : "; it has " + String.join(", ", models)));
            }
            List<CapturedSample> samples = reader.recent(model, version, window);
            report = new DriftDetector(ref, config).test(model, version, samples);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(report.table());
        if (json != null) {
            AtomicFiles.writeString(json, Json.writePretty(report.toMap()) + "\n");
            out.println("Report written to " + json);
        }
        out.flush();
        return failOnAlarm && report.alarm() ? ALARM_EXIT_CODE : 0;
    }
}
