package dev.nabla.examples.fashion;

import dev.nabla.cpu.CpuBackend;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Where the Fashion-MNIST data comes from, how much of it a command uses, and the CPU threads: shared options. */
public final class DataOptions {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory holding the four Fashion-MNIST IDX files (gzipped or raw). Default: "
                    + "$NABLA_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist (Debian package "
                    + "dataset-fashion-mnist), else the embedded 10%% sample.")
    Path dataDir;

    @Option(names = "--sample", description = "Use the embedded 10%% sample (6,000 train / 1,000 test images) even "
            + "if the full dataset is installed.")
    boolean sample;

    @Option(names = "--limit-train", paramLabel = "N", defaultValue = "0",
            description = "Use the first N training examples only (0 = all).")
    int limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", defaultValue = "0",
            description = "Evaluate on the first N test examples only (0 = all).")
    int limitTest;

    /** More threads than any machine this runs on has cores; far more fail late, when the pool starts them. */
    public static final int MAX_THREADS = 1024;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU backend threads, 1 to " + MAX_THREADS + "; 0 = all available processors (default).")
    int threads;

    /** Adds what is wrong with these options to {@code problems}. */
    public void check(List<String> problems) {
        checkThreads(threads, problems);
        if (limitTrain < 0 || limitTest < 0) {
            problems.add("--limit-train and --limit-test must be 0 (all) or positive");
        }
        if (sample && dataDir != null) {
            problems.add("--sample and --data-dir exclude each other");
        }
    }

    /** Adds a problem to {@code problems} unless {@code threads} is 0 (all processors) to {@link #MAX_THREADS}. */
    public static void checkThreads(int threads, List<String> problems) {
        if (threads < 0 || threads > MAX_THREADS) {
            problems.add("--threads must be 0 (all processors) to " + MAX_THREADS + ", found " + threads);
        }
    }

    /** Sets the CPU backend's threads when {@code --threads} names a number. */
    public void applyThreads() {
        if (threads > 0) {
            CpuBackend.setThreads(threads);
        }
    }

    /** These options as command-line arguments, to hand them to another command run in this process. */
    public List<String> asArguments() {
        List<String> args = new java.util.ArrayList<>();
        if (dataDir != null) {
            args.addAll(List.of("--data-dir", dataDir.toString()));
        }
        if (sample) {
            args.add("--sample");
        }
        if (limitTrain > 0) {
            args.addAll(List.of("--limit-train", Integer.toString(limitTrain)));
        }
        if (limitTest > 0) {
            args.addAll(List.of("--limit-test", Integer.toString(limitTest)));
        }
        if (threads > 0) {
            args.addAll(List.of("--threads", Integer.toString(threads)));
        }
        return args;
    }

    /** The data these options select (see {@link FashionData#load}). */
    public FashionData load() {
        return FashionData.load(dataDir, sample, limitTrain, limitTest);
    }
}
