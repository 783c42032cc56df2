package dev.nabla.examples.lifecycle;

import dev.nabla.TensorScope;
import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.examples.NablaCli;
import dev.nabla.examples.UsageException;
import dev.nabla.examples.fashion.DataOptions;
import dev.nabla.examples.fashion.FashionData;
import dev.nabla.examples.inference.Measurements;
import dev.nabla.examples.serving.FashionReference;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.IoErrors;
import dev.nabla.io.Json;
import dev.nabla.serving.InferenceServer;
import dev.nabla.serving.MonitoredServer;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.drift.DriftConfig;
import dev.nabla.serving.drift.DriftReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code nabla lifecycle}: the whole loop on Fashion-MNIST in one command. Train a CNN, slim it, serve it, send it a
 * stream of images that drifts, watch accuracy fall and the drift alarm go off, send the true labels back, retrain,
 * promote, hot-reload, and watch accuracy recover. Prints a table and writes a plot and a report.
 */
@Command(name = "lifecycle", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The model lifecycle end to end on Fashion-MNIST: train a CNN, slim it into a model file, serve "
                + "it over HTTP with payload capture, send clean then drifted images (--drift), detect the drift, send "
                + "feedback labels, retrain on them, promote the retrained version and hot-reload it, and show the "
                + "accuracy recovering. Writes lifecycle.png, report.json and the subcommands' log to --output-dir."})
public final class LifecycleCommand implements Callable<Integer> {
    static final String MODEL = "fashion-cnn";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--drift", paramLabel = "KIND", defaultValue = "contrast",
            description = "How the stream drifts: contrast (washed out), invert or shift (default: ${DEFAULT-VALUE}).")
    String drift;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3",
            description = "Training epochs of the first model (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--clean", paramLabel = "N",
            description = "Clean test images sent first (default: 1,000 of the full test split, 250 of the sample's).")
    Integer clean;

    @Option(names = "--drifted", paramLabel = "N",
            description = "Drifted test images sent before retraining, all labelled by feedback (default: 3,000 of "
                    + "the full test split, 450 of the sample's).")
    Integer drifted;

    @Option(names = "--after", paramLabel = "N",
            description = "Drifted test images sent after the retrained version serves (default: 2,000 of the full "
                    + "test split, 300 of the sample's).")
    Integer after;

    @Option(names = "--retrain-epochs", paramLabel = "N",
            description = "Fine-tune epochs of the retraining (default: ${DEFAULT-VALUE}).")
    int retrainEpochs = Retraining.Settings.defaults().epochs();

    @Option(names = "--captured-share", paramLabel = "SHARE",
            description = "Share of each retraining epoch made of the labelled requests (default: ${DEFAULT-VALUE}).")
    double capturedShare = Retraining.Settings.defaults().capturedShare();

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "runs/lifecycle",
            description = "Where the repository, capture store, plot and report go (default: ${DEFAULT-VALUE}); "
                    + "emptied of an earlier run's repository first.")
    Path outputDir;

    @Mixin
    DataOptions data = new DataOptions();

    /** One phase's row of the table. */
    record Phase(String name, long version, int requests, double accuracy, DriftReport drift) {
    }

    @Override
    public Integer call() throws Exception {
        Drifts kind = parseDrift();
        validate();
        PrintWriter out = spec.commandLine().getOut();
        long started = System.nanoTime();
        data.applyThreads();
        Path repository = outputDir.resolve("repository");
        Path work = outputDir.resolve("work");
        resetRepository(repository);
        Path log = outputDir.resolve("lifecycle.log");

        FashionData fashion = data.load();
        Dataset test = fashion.test();
        // The full test split has room for a stream ten times the sample's: more labelled requests to learn from.
        boolean full = test.size() >= 6_000;
        int clean = this.clean != null ? this.clean : full ? 1_000 : 250;
        int drifted = this.drifted != null ? this.drifted : full ? 3_000 : 450;
        int after = this.after != null ? this.after : full ? 2_000 : 300;
        checkStream(clean, drifted, after);
        int needed = clean + drifted + after;
        if (test.size() < needed) {
            throw new UsageException("the test split has " + test.size() + " images; --clean, --drifted and --after "
                    + "ask for " + needed);
        }
        out.printf(Locale.ROOT, "Data: Fashion-MNIST from %s%s%n", fashion.source(),
                fashion.isSample() ? " (the small embedded sample: accuracies are lower than on the full data)" : "");

        // 1. Train and slim, with the example commands themselves (their output goes to the log).
        try (PrintWriter sub = new PrintWriter(Files.newBufferedWriter(log), true)) {
            step(out, "1. train fashion-cnn for " + epochs + " epoch(s)");
            run(sub, withData("fashion-cnn", "--epochs", Integer.toString(epochs), "--output-dir",
                    work.resolve("train").toString(), "--progress", "lines"));
            step(out, "2. slim it into a model file (exact passes + int8)");
            run(sub, withData("optimize", "--checkpoint", work.resolve("train/checkpoint.safetensors").toString(),
                    "--out", work.resolve("model.nabla").toString(), "--int8", "--latency-runs", "10"));
        }
        Path reference = work.resolve("reference.safetensors");
        try (Predictor first = Predictor.load(work.resolve("model.nabla"))) {
            FashionReference.create(fashion.train(), fashion.source(), first, FashionReference.DEFAULT_SIZE, 42)
                    .write(reference);
        }
        long v1 = ModelVersions.publish(repository, MODEL, Map.of(ModelVersions.MODEL, work.resolve("model.nabla"),
                ModelVersions.CHECKPOINT, work.resolve("train/checkpoint.safetensors"), ModelVersions.REFERENCE,
                reference));
        step(out, "3. publish it as version " + v1 + " of '" + MODEL + "' and serve it, capturing every request");

        List<Phase> phases = new ArrayList<>();
        boolean[] correct = new boolean[needed];
        int reloadAt = -1;
        Retraining.Outcome outcome;
        InferenceServer.Builder serverOptions = InferenceServer.builder().repository(repository).host("127.0.0.1")
                .port(0).pollInterval(Duration.ofMillis(200));
        DriftConfig driftConfig = DriftConfig.DEFAULT.withWindow(Math.min(drifted, 400));
        try (MonitoredServer server = MonitoredServer.start(serverOptions,
                CaptureConfig.sqlite(repository.resolve(CaptureConfig.DEFAULT_FILE_NAME)), driftConfig,
                Duration.ZERO)) {
            ServingClient client = new ServingClient(server.port(), MODEL);
            awaitVersion(client, v1);
            String input = client.inputName();
            out.printf(Locale.ROOT, "   serving on http://127.0.0.1:%d/v2/models/%s%n", server.port(), MODEL);

            step(out, "4. send " + clean + " clean test images");
            Stream stream = new Stream(client, input, test, correct);
            phases.add(new Phase("clean", v1, clean, stream.send(0, clean, null, false), drift(server)));

            step(out, "5. send " + drifted + " " + kind.label() + "-drifted images, and their true labels as feedback");
            phases.add(new Phase(kind.label() + " drift", v1, drifted, stream.send(clean, drifted, kind, true),
                    drift(server)));
            if (phases.get(1).drift() != null && phases.get(1).drift().alarm()) {
                out.println("   DRIFT ALARM: the served inputs no longer look like the training data");
            }

            step(out, "6. retrain on the labelled requests and the original training data");
            try (PrintWriter sub = new PrintWriter(Files.newBufferedWriter(log, java.nio.file.StandardOpenOption.APPEND),
                    true)) {
                Retraining.Settings settings = Retraining.Settings.defaults().withEpochs(retrainEpochs)
                        .withCapturedShare(capturedShare);
                outcome = new Retraining(repository, MODEL, settings, line -> {
                    out.println("   " + line);
                    sub.println(line);
                }).run(server.captureReader(), fashion.train());
            }
            long serving = v1;
            if (outcome.promoted()) {
                step(out, "7. the server hot-reloads version " + outcome.publishedVersion());
                awaitVersion(client, outcome.publishedVersion());
                serving = outcome.publishedVersion();
                reloadAt = clean + drifted;
            } else {
                step(out, "7. nothing to reload: version " + v1 + " keeps serving");
            }
            step(out, "8. send " + after + " more " + kind.label() + "-drifted images");
            phases.add(new Phase(kind.label() + " drift, after retraining", serving, after,
                    stream.send(clean + drifted, after, kind, false), drift(server)));
        }
        // Did it forget? The serving version on the clean images of phase 4, run directly.
        Path servingModel = ModelVersions.directory(repository, MODEL, phases.get(2).version())
                .resolve(ModelVersions.MODEL);
        double cleanAfter;
        try (Predictor last = Predictor.load(servingModel)) {
            cleanAfter = Measurements.accuracy(last::predict, test.head(clean));
        }

        Path plot = outputDir.resolve("lifecycle.png");
        LifecyclePlot.writePng(plot, "Fashion-MNIST CNN served under " + kind.label() + " drift", correct, clean,
                reloadAt, 50);
        double original = phases.get(0).accuracy();
        double recovered = phases.get(2).accuracy();
        out.println();
        out.print(table(phases));
        out.printf(Locale.ROOT, "%nAccuracy on clean images %.4f; under drift %.4f; after one retrain %.4f (%+.1f points "
                        + "from clean: %s).%n", original, phases.get(1).accuracy(), recovered, 100 * (recovered - original),
                recovered >= original - 0.02 ? "recovered to within 2 points" : "not within 2 points");
        out.printf(Locale.ROOT, "Version %d on the clean images of phase 4: %.4f (version %d had %.4f).%n",
                phases.get(2).version(), cleanAfter, v1, original);
        writeReport(phases, outcome, kind, fashion, original, recovered, cleanAfter, started);
        out.println("Wrote " + plot.toAbsolutePath().normalize() + ", " + outputDir.resolve("report.json")
                .toAbsolutePath().normalize() + " and the subcommands' log " + log.toAbsolutePath().normalize());
        out.flush();
        return 0;
    }

    /** Sends test images in order, records which were answered right, and sends feedback where asked. */
    private static final class Stream {
        private final ServingClient client;
        private final String input;
        private final Dataset test;
        private final boolean[] correct;

        Stream(ServingClient client, String input, Dataset test, boolean[] correct) {
            this.client = client;
            this.input = input;
            this.test = test;
            this.correct = correct;
        }

        double send(int from, int count, Drifts drift, boolean feedback) {
            int right = 0;
            for (int i = from; i < from + count; i++) {
                float[] image;
                long label;
                try (var scope = TensorScope.open()) {
                    Batch b = Measurements.batch(test, i, 1);
                    image = b.inputs().toFloatArray();
                    label = b.targets().toLongArray()[0];
                }
                if (drift != null) {
                    image = drift.apply(image, 28);
                }
                ServingClient.Answer answer = client.infer(input, "lifecycle-" + i, image);
                correct[i] = answer.predicted() == label;
                right += correct[i] ? 1 : 0;
                if (feedback) {
                    client.feedback(answer.id(), label);
                }
            }
            return right / (double) count;
        }
    }

    private static DriftReport drift(MonitoredServer server) {
        return server.drift().refresh().get(MODEL);
    }

    private static void awaitVersion(ServingClient client, long version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (client.servedVersion() != version) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not serve version " + version + " within 60 s");
            }
            Thread.sleep(50);
        }
    }

    private static void step(PrintWriter out, String text) {
        out.println(text);
        out.flush();
    }

    private String[] withData(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(data.asArguments());
        return all.toArray(String[]::new);
    }

    /** Runs a {@code nabla} subcommand in this process with its output in the log; its failure is this one's. */
    private static void run(PrintWriter log, String... args) {
        log.println("$ nabla " + String.join(" ", args));
        int code = NablaCli.execute(log, log, args);
        if (code != 0) {
            throw new UsageException("'nabla " + args[0] + "' failed (exit " + code + "); see the log for why");
        }
    }

    static String table(List<Phase> phases) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-34s %7s %8s %8s %13s %13s %6s%n", "phase", "version", "requests",
                "accuracy", "KS adj. p", "chi2 p", "alarm"));
        for (Phase p : phases) {
            DriftReport d = p.drift();
            sb.append(String.format(Locale.ROOT, "%-34s %7d %8d %8.4f %13s %13s %6s%n", p.name(), p.version(),
                    p.requests(), p.accuracy(), d == null || d.features() == null ? "-" : p(d.features().adjustedPValue()),
                    d == null || d.classes() == null ? "-" : p(d.classes().pValue()), d == null ? "-" : d.alarm() ? "YES" : "no"));
        }
        return sb.toString();
    }

    private static String p(double value) {
        return value < 1e-15 ? "<1e-15" : String.format(Locale.ROOT, "%.3g", value);
    }

    private void writeReport(List<Phase> phases, Retraining.Outcome outcome, Drifts kind, FashionData fashion,
                             double original, double recovered, double cleanAfter, long started) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("drift", kind.label());
        json.put("data_source", fashion.source());
        json.put("data_is_sample", fashion.isSample());
        List<Object> rows = new ArrayList<>();
        for (Phase p : phases) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("phase", p.name());
            row.put("version", p.version());
            row.put("requests", p.requests());
            row.put("accuracy", p.accuracy());
            row.put("drift", p.drift() == null ? null : p.drift().toMap());
            rows.add(row);
        }
        json.put("phases", rows);
        json.put("retraining", RetrainCommand.json(outcome));
        json.put("recovered_within_2_points", recovered >= original - 0.02);
        json.put("serving_version_on_clean_images", cleanAfter);
        json.put("total_seconds", (System.nanoTime() - started) / 1e9);
        AtomicFiles.writeString(outputDir.resolve("report.json"), Json.writePretty(json));
    }

    private Drifts parseDrift() {
        try {
            return Drifts.valueOf(drift.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--drift: expected contrast, invert or shift, found '" + drift + "'");
        }
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        data.check(problems);
        if (epochs <= 0 || retrainEpochs <= 0) {
            problems.add("--epochs and --retrain-epochs must be positive, found " + epochs + " and " + retrainEpochs);
        }
        if (!(capturedShare > 0 && capturedShare < 1)) {
            problems.add("--captured-share must be in (0, 1), found " + capturedShare);
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private void checkStream(int clean, int drifted, int after) {
        if (clean < 50 || drifted < 100 || after < 50) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected --clean >= 50, --drifted >= 100 and "
                    + "--after >= 50 (windows for the tests and the moving average), found " + clean + ", " + drifted
                    + " and " + after);
        }
    }

    /** An earlier run's repository and capture store would mix into this one's versions and windows. */
    private static void resetRepository(Path repository) {
        try {
            if (Files.exists(repository)) {
                try (var walk = Files.walk(repository)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(repository);
        } catch (IOException e) {
            throw IoErrors.unchecked("could not reset", repository, e);
        }
    }

}
