package dev.nabla.examples.fashion;

import dev.nabla.cpu.CpuBackend;
import picocli.CommandLine.Option;

import java.util.List;

/** {@code --threads}: the CPU backend's threads, shared by every command that computes (directly or in a mixin). */
public final class ThreadsOption {
    /** More threads than any machine this runs on has cores; far more fail late, when the pool starts them. */
    public static final int MAX_THREADS = 1024;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU backend threads, 1 to " + MAX_THREADS + "; 0 = all available processors (default).")
    int threads;

    /** Adds a problem to {@code problems} unless {@code --threads} is 0 (all processors) to {@link #MAX_THREADS}. */
    public void check(List<String> problems) {
        if (threads < 0 || threads > MAX_THREADS) {
            problems.add("--threads must be 0 (all processors) to " + MAX_THREADS + ", found " + threads);
        }
    }

    /** Sets the CPU backend's threads when {@code --threads} names a number. */
    public void apply() {
        if (threads > 0) {
            CpuBackend.setThreads(threads);
        }
    }

    /** The option as command-line arguments: none for the default. */
    List<String> asArguments() {
        return threads > 0 ? List.of("--threads", Integer.toString(threads)) : List.of();
    }
}
