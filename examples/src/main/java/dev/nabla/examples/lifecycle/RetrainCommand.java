package dev.nabla.examples.lifecycle;

import dev.nabla.examples.fashion.DataOptions;
import dev.nabla.examples.fashion.FashionData;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.Json;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.capture.CaptureReader;
import dev.nabla.serving.repository.ModelRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code nabla retrain}: one turn of the retraining loop for a served Fashion-MNIST model, see {@link Retraining}. */
@Command(name = "retrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a served model's training checkpoint on the labelled requests captured in production "
                + "mixed with the original training data, slim it by the serving model's recipe, and publish it as a "
                + "new version of the model in the repository only if it beats the serving version on the most "
                + "recent labelled requests (held out from the fine-tune). A running server picks the new version up."})
public final class RetrainCommand implements Callable<Integer> {
    /** The options' defaults, shown by {@code --help} as picocli reads the fields' initial values. */
    private static final Retraining.Settings DEFAULTS = Retraining.Settings.defaults();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--repository", paramLabel = "DIR", required = true,
            description = "The model repository the server serves (DIR/<name>/<version>/model.nabla).")
    Path repository;

    @Option(names = "--model", paramLabel = "NAME", required = true, description = "The served model's name.")
    String model;

    @Option(names = "--store", paramLabel = "STORE",
            description = "The capture store: a SQLite file or a JDBC URL (default: DIR/capture.db).")
    String store;

    @Option(names = "--epochs", paramLabel = "N", description = "Fine-tune epochs (default: ${DEFAULT-VALUE}).")
    int epochs = DEFAULTS.epochs();

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Peak Adam learning rate, annealed to 0 (default: ${DEFAULT-VALUE}).")
    double lr = DEFAULTS.lr();

    @Option(names = "--held-out", paramLabel = "SHARE",
            description = "Share of the labelled requests, the newest, held out to decide the promotion "
                    + "(default: ${DEFAULT-VALUE}).")
    double heldOut = DEFAULTS.heldOutShare();

    @Option(names = "--min-labelled", paramLabel = "N",
            description = "Labelled requests needed to retrain at all (default: ${DEFAULT-VALUE}).")
    int minLabelled = DEFAULTS.minLabelled();

    @Option(names = "--captured-share", paramLabel = "SHARE",
            description = "Share of each epoch made of captured requests, repeated as needed (default: ${DEFAULT-VALUE}).")
    double capturedShare = DEFAULTS.capturedShare();

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed for shuffling and sampling (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the outcome as JSON.")
    Path report;

    @Mixin
    DataOptions data = new DataOptions();

    @Override
    public Integer call() {
        Retraining.Settings settings = settings();
        PrintWriter out = spec.commandLine().getOut();
        data.applyThreads();
        FashionData fashion = data.load();
        out.println("Original training data: " + fashion.source() + (fashion.isSample() ? " (embedded sample)" : ""));
        Retraining.Outcome outcome;
        try (CaptureReader reader = CaptureReader.open(store != null ? store
                : repository.resolve(CaptureConfig.DEFAULT_FILE_NAME).toString())) {
            outcome = new Retraining(repository, model, settings, line -> {
                out.println(line);
                out.flush();
            }).run(reader, fashion.train());
        }
        out.print(summary(outcome));
        if (report != null) {
            AtomicFiles.writeString(report, Json.writePretty(json(outcome)));
        }
        out.flush();
        return 0;
    }

    static String summary(Retraining.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%-22s %10s %10s%n", "held-out requests", "version", "accuracy"));
        sb.append(String.format(Locale.ROOT, "%-22s %10d %10.4f%n", "serving", o.servingVersion(), o.servingAccuracy()));
        sb.append(String.format(Locale.ROOT, "%-22s %10s %10.4f%n", "retrained",
                o.promoted() ? Long.toString(o.publishedVersion()) : "-", o.candidateAccuracy()));
        sb.append(o.promoted()
                ? String.format(Locale.ROOT, "Promoted: version %d of %s is published; a running server swaps it in.%n",
                        o.publishedVersion(), o.model())
                : String.format(Locale.ROOT, "Not promoted: version %d of %s keeps serving.%n", o.servingVersion(),
                        o.model()));
        return sb.toString();
    }

    static Map<String, Object> json(Retraining.Outcome o) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", o.model());
        json.put("serving_version", o.servingVersion());
        json.put("serving_accuracy", o.servingAccuracy());
        json.put("retrained_accuracy", o.candidateAccuracy());
        json.put("promoted", o.promoted());
        json.put("published_version", o.promoted() ? o.publishedVersion() : null);
        json.put("fine_tune_requests", o.fineTuneRequests());
        json.put("held_out_requests", o.heldOutRequests());
        json.put("original_examples", o.originalExamples());
        json.put("slimmed_stage", o.slimmedStage());
        json.put("seconds", o.seconds());
        return json;
    }

    private Retraining.Settings settings() {
        List<String> problems = new ArrayList<>();
        data.check(problems);
        if (!ModelRepository.isModelName(model)) {
            problems.add("--model must be a model name (letters, digits, _ . -), found '" + model + "'");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
        try {
            return new Retraining.Settings(epochs, lr, heldOut, minLabelled,
                    DEFAULTS.maxLabelled(), capturedShare, seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected --epochs >= 1, --lr > 0, "
                    + "--held-out and --captured-share in (0, 1), --min-labelled >= 2; found --epochs " + epochs
                    + ", --lr " + lr + ", --held-out " + heldOut + ", --captured-share " + capturedShare
                    + ", --min-labelled " + minLabelled);
        }
    }
}
