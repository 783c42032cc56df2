package dev.nabla.examples.fashion;

import picocli.CommandLine.Mixin;
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

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    /** Adds what is wrong with these options to {@code problems}. */
    public void check(List<String> problems) {
        threads.check(problems);
        if (limitTrain < 0 || limitTest < 0) {
            problems.add("--limit-train and --limit-test must be 0 (all) or positive");
        }
        if (sample && dataDir != null) {
            problems.add("--sample and --data-dir exclude each other");
        }
    }

    /** Sets the CPU backend's threads when {@code --threads} names a number. */
    public void applyThreads() {
        threads.apply();
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
        args.addAll(threads.asArguments());
        return args;
    }

    /** The data these options select (see {@link FashionData#load}). */
    public FashionData load() {
        return FashionData.load(dataDir, sample, limitTrain, limitTest);
    }
}
