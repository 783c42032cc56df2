package dev.nabla.examples.serving;

import dev.nabla.examples.UsageException;
import dev.nabla.examples.fashion.ThreadsOption;
import dev.nabla.serving.InferenceServer;
import dev.nabla.serving.MonitoredServer;
import dev.nabla.serving.capture.CaptureConfig;
import dev.nabla.serving.drift.DriftConfig;
import dev.nabla.serving.drift.ReferenceSample;
import dev.nabla.serving.batching.BatchingOptions;
import dev.nabla.serving.repository.ModelStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code nabla serve}: serves a model repository over HTTP (the Open Inference Protocol) until interrupted; Ctrl-C or
 * SIGTERM stops it gracefully, finishing the requests in progress.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the compact model files of a repository, DIR/<name>/<version>/model.nabla (the newest "
                + "version of each model), over HTTP with the Open Inference Protocol (KServe V2): "
                + "POST /v2/models/<name>/infer, metrics at /metrics. New versions are picked up while serving. "
                + "Runs until interrupted (Ctrl-C)."})
public final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--repository", paramLabel = "DIR", required = true,
            description = "The model repository: DIR/<name>/<version>/model.nabla, versions positive whole numbers.")
    Path repository;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "The address to listen on (default: ${DEFAULT-VALUE}, every interface).")
    String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8000",
            description = "The HTTP port; 0 picks a free one and prints it (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-batch-size", paramLabel = "N", defaultValue = "64",
            description = "The most samples one model execution runs; 1 turns dynamic batching off "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxBatchSize;

    @Option(names = "--max-queue-delay-ms", paramLabel = "MS", defaultValue = "0",
            description = "How long a batch waits for more requests, from its first request's arrival; 0 runs what "
                    + "is queued as soon as the model is free (default: ${DEFAULT-VALUE}).")
    double maxQueueDelayMs;

    @Option(names = "--queue-capacity", paramLabel = "N", defaultValue = "1024",
            description = "Requests that may wait per model; more are answered 503 (default: ${DEFAULT-VALUE}).")
    int queueCapacity;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "16777216",
            description = "The largest request body; larger ones are answered 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--capture", paramLabel = "STORE",
            description = "Where served requests are captured, for feedback, drift detection and retraining: a SQLite "
                    + "file or a JDBC URL (default: DIR/capture.db).")
    String capture;

    @Option(names = "--no-capture", description = "Capture nothing: no feedback endpoint storage, no drift metrics.")
    boolean noCapture;

    @Option(names = "--capture-rate", paramLabel = "R", defaultValue = "1.0",
            description = "Share of requests captured, 0 to 1, chosen by a hash of the request id (default: ${DEFAULT-VALUE}).")
    double captureRate;

    @Option(names = "--drift-window", paramLabel = "N",
            description = "Captured samples each drift test looks at, the newest (default: ${DEFAULT-VALUE}).")
    int driftWindow = DriftConfig.DEFAULT.window();

    @Option(names = "--drift-alpha", paramLabel = "A",
            description = "Significance level of the drift tests (default: ${DEFAULT-VALUE}).")
    double driftAlpha = DriftConfig.DEFAULT.alpha();

    @Option(names = "--drift-every-s", paramLabel = "S", defaultValue = "60",
            description = "Seconds a drift report is reused before /metrics computes it again (default: ${DEFAULT-VALUE}).")
    int driftEverySeconds;

    @Option(names = "--poll-ms", paramLabel = "MS", defaultValue = "1000",
            description = "How often the repository is scanned for new versions; 0 = only at start "
                    + "(default: ${DEFAULT-VALUE}).")
    long pollMs;

    @Override
    public Integer call() throws InterruptedException {
        check();
        if (!Files.isDirectory(repository)) {
            throw new UsageException("--repository " + repository + ": no such directory");
        }
        threads.apply();
        quietLibraries();
        AutoCloseable running;
        InferenceServer server;
        try {
            if (noCapture) {
                server = configure(InferenceServer.builder()).build();
                running = server;
                try {
                    server.start();
                } catch (RuntimeException e) {
                    server.close();
                    throw e;
                }
            } else {
                MonitoredServer monitored = MonitoredServer.start(configure(InferenceServer.builder()),
                        captureConfig(), DriftConfig.DEFAULT.withWindow(driftWindow).withAlpha(driftAlpha),
                        Duration.ofSeconds(driftEverySeconds));
                server = monitored.server();
                running = monitored;
            }
        } catch (RuntimeException e) {
            throw bindFailure(e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            closeQuietly(running);
            stopped.countDown();
        }, "nabla-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        announce(server);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // interrupted in-process (tests, an embedding application): stop as Ctrl-C would
            Runtime.getRuntime().removeShutdownHook(hook);
            closeQuietly(running);
            spec.commandLine().getOut().println("nabla serve: stopped");
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** The server these options describe; capture and drift monitoring are attached by {@link MonitoredServer}. */
    InferenceServer.Builder configure(InferenceServer.Builder builder) {
        return builder.repository(repository)
                .host(host)
                .port(port)
                .batching(new BatchingOptions(maxBatchSize, Duration.ofNanos(Math.round(maxQueueDelayMs * 1e6)),
                        queueCapacity))
                .maxBodyBytes(maxBodyBytes)
                .pollInterval(Duration.ofMillis(pollMs));
    }

    /** {@code --capture}, or {@code DIR/capture.db}, at {@code --capture-rate}. */
    CaptureConfig captureConfig() {
        String store = capture != null ? capture : repository.resolve(CaptureConfig.DEFAULT_FILE_NAME).toString();
        return CaptureConfig.of(store).withSampleRate(captureRate);
    }

    private static void closeQuietly(AutoCloseable running) {
        try {
            running.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the server failed: " + e.getMessage(), e);
        }
    }

    private void check() {
        List<String> problems = new ArrayList<>();
        if (port < 0 || port > 65535) {
            problems.add("--port must be 0 (any free port) to 65535, found " + port);
        }
        if (maxBatchSize < 1 || maxBatchSize > BatchingOptions.MAX_BATCH_SIZE) {
            problems.add("--max-batch-size must be 1 to " + BatchingOptions.MAX_BATCH_SIZE + ", found "
                    + maxBatchSize);
        }
        if (!(maxQueueDelayMs >= 0) || maxQueueDelayMs > BatchingOptions.MAX_QUEUE_DELAY.toMillis()) {
            problems.add("--max-queue-delay-ms must be 0 to " + BatchingOptions.MAX_QUEUE_DELAY.toMillis()
                    + ", found " + maxQueueDelayMs);
        }
        if (queueCapacity < 1 || queueCapacity > BatchingOptions.MAX_QUEUE_CAPACITY) {
            problems.add("--queue-capacity must be 1 to " + BatchingOptions.MAX_QUEUE_CAPACITY + ", found "
                    + queueCapacity);
        }
        if (maxBodyBytes < 1 || maxBodyBytes > InferenceServer.Builder.MAX_BODY_BYTES) {
            problems.add("--max-body-bytes must be 1 to " + InferenceServer.Builder.MAX_BODY_BYTES + ", found "
                    + maxBodyBytes);
        }
        threads.check(problems);
        if (!(captureRate >= 0 && captureRate <= 1)) {
            problems.add("--capture-rate must be 0 to 1, found " + captureRate);
        }
        if (noCapture && capture != null) {
            problems.add("--capture and --no-capture exclude each other");
        }
        if (driftWindow < 10 || !(driftAlpha > 0 && driftAlpha < 1) || driftEverySeconds < 0) {
            problems.add("expected --drift-window >= 10, --drift-alpha in (0, 1) and --drift-every-s >= 0, found "
                    + driftWindow + ", " + driftAlpha + " and " + driftEverySeconds);
        }
        if (pollMs < 0) {
            problems.add("--poll-ms must be 0 (only at start) or positive, found " + pollMs);
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    /** The server logs its loads and failures; Jetty's and Javalin's start-up lines only add noise to a terminal. */
    private static void quietLibraries() {
        for (String logger : List.of("org.eclipse.jetty", "io.javalin")) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
    }

    /** A port in use or an address that does not exist is the user's to fix: one line. */
    private RuntimeException bindFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException || t instanceof java.net.UnknownHostException) {
                return new UsageException("cannot listen on " + host + ":" + port + ": " + t.getMessage());
            }
        }
        return e;
    }

    private void announce(InferenceServer server) {
        PrintWriter out = spec.commandLine().getOut();
        List<ModelStatus> models = server.repository().models();
        out.printf("nabla serve: %d model%s from %s on http://%s:%d (Ctrl-C stops)%n", models.size(),
                models.size() == 1 ? "" : "s", repository, host, server.port());
        out.println(noCapture ? "  capture: off" : "  capture: " + captureConfig().jdbcUrl() + " (rate " + captureRate
                + "); feedback at /v2/models/<name>/feedback; drift of versions with a " + ReferenceSample.FILE_NAME
                + " at /metrics");
        for (ModelStatus m : models) {
            out.println("  " + m.name() + ": " + (m.servedVersion().isPresent()
                    ? "version " + m.servedVersion().getAsLong() + ", input " + m.signature().input()
                    + ", output " + m.signature().output()
                    : "not serving (" + server.repository().unavailableReason(m.name()) + ")"));
        }
        out.flush();
    }
}
