package dev.nabla.examples;

import dev.nabla.train.BatchLoss;
import dev.nabla.train.EpochResult;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders training progress: on a terminal, a progress bar per epoch (me.tongfei:progressbar, on
 * stderr) with the running loss; otherwise (CI, output redirected to a file) nothing per batch.
 * Either way one summary line per epoch goes to {@code out}.
 */
public final class ProgressPrinter implements TrainingListener {
    /** How progress is shown. */
    public enum Mode {
        /** A bar when the console is a terminal, else lines. */
        AUTO,
        /** Always a bar. */
        BAR,
        /** One line per epoch. */
        LINES
    }

    private static final long LOSS_READ_INTERVAL_NANOS = 250_000_000L;

    private final PrintWriter out;
    private final boolean bar;
    private final List<Double> epochWallSeconds = new ArrayList<>();
    private int epochs;
    private ProgressBar progress;
    private long epochStart;
    private long lossShownAt;

    public ProgressPrinter(PrintWriter out, Mode mode) {
        this.out = out;
        this.bar = switch (mode) {
            case BAR -> true;
            case LINES -> false;
            case AUTO -> isInteractiveTerminal();
        };
    }

    /** Whether a progress bar is drawn. */
    public boolean drawsBar() {
        return bar;
    }

    /** Seconds of each epoch including validation (EpochResult.seconds counts training only). */
    public List<Double> epochWallSeconds() {
        return List.copyOf(epochWallSeconds);
    }

    @Override
    public void onTrainStart(Trainer trainer, int firstEpoch, int epochs) {
        this.epochs = epochs;
    }

    @Override
    public void onEpochStart(Trainer trainer, int epoch, int numBatches) {
        epochStart = System.nanoTime();
        lossShownAt = 0;
        if (bar) {
            progress = new ProgressBarBuilder()
                    .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
                    .setInitialMax(numBatches)
                    .setUnit(" batches", 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250)
                    .continuousUpdate()
                    .clearDisplayOnFinish()
                    .build();
        }
    }

    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, int numBatches, BatchLoss loss) {
        if (progress != null) {
            progress.stepTo(batch + 1L);
            // Reading the loss waits for the device: only as often as the bar redraws.
            long now = System.nanoTime();
            if (now - lossShownAt >= LOSS_READ_INTERVAL_NANOS) {
                lossShownAt = now;
                progress.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", loss.epochMean()));
            }
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult r) {
        if (progress != null) {
            progress.close();
            progress = null;
        }
        double wall = (System.nanoTime() - epochStart) / 1e9;
        epochWallSeconds.add(wall);
        out.println(summary(r, epochs, wall));
        out.flush();
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    /** {@code epoch 1/5  train loss 0.5123 acc 0.8123 | test loss 0.4321 acc 0.8456 | 12.3 s train, 13.1 s total, 4,878 samples/s}. */
    static String summary(EpochResult r, int epochs, double wallSeconds) {
        String width = Integer.toString(Integer.toString(epochs).length());
        return String.format(Locale.ROOT, "epoch %" + width + "d/%d  train loss %.4f acc %.4f | test loss %.4f acc %.4f"
                        + " | %.1f s train, %.1f s with test, %,.0f samples/s", r.epoch() + 1, epochs, r.trainLoss(),
                r.trainAccuracy(), r.validationLoss(), r.validationAccuracy(), r.seconds(), wallSeconds,
                r.samplesPerSecond());
    }

    /**
     * True when the JVM is attached to an interactive terminal and TERM is not "dumb". Since JDK 22
     * {@link System#console()} is non-null even when redirected, so {@code Console.isTerminal()} is
     * asked when it exists (called reflectively: this code is compiled for Java 21).
     */
    static boolean isInteractiveTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // Java 21: a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
