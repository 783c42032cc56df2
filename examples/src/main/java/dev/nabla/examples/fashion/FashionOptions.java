package dev.nabla.examples.fashion;

import dev.nabla.examples.ProgressPrinter;
import dev.nabla.train.TrainingListener;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options shared by the Fashion-MNIST commands. */
public final class FashionOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: 5 for fashion-mlp, 3 for "
            + "fashion-cnn; with --resume, those of the resumed run).")
    Integer epochs; // null: not given, the command's default applies

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
            description = "Examples per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-3",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine",
            description = "Learning-rate schedule: cosine (anneal from --lr to 0 over all training batches) or "
                    + "constant (default: ${DEFAULT-VALUE}).", converter = ScheduleConverter.class)
    Schedule schedule;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed for initialization, shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "Device to train on: cpu, cuda, cuda:1 (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Where checkpoint, history and plot go (default: runs/<model>).")
    Path outputDir;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue the run that wrote CHECKPOINT (its checkpoint.safetensors) after its last finished "
                    + "epoch, with the same options; the result is the same as the run's without the interruption. "
                    + "--epochs defaults to the run's; with --schedule constant it can be raised.")
    Path resume;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write the run report (JSON) to FILE; it is always written to <output-dir>/report.json.")
    Path report;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a progress bar on a terminal, else one line per epoch), bar or lines "
                    + "(default: ${DEFAULT-VALUE}).", converter = ProgressModeConverter.class)
    ProgressPrinter.Mode progress;

    /** More training listeners: tests in this package stop a run after some epochs with one, to resume it. */
    final List<TrainingListener> listeners = new ArrayList<>();

    /** How the learning rate moves during training. */
    enum Schedule {
        /** Cosine annealing from the base rate to 0, stepped after every batch. */
        COSINE,
        /** The base rate throughout. */
        CONSTANT
    }

    /** Accepts an enum's constants in any case; a mismatch names the accepted values. */
    private abstract static class AnyCase<E extends Enum<E>> implements picocli.CommandLine.ITypeConverter<E> {
        private final Class<E> type;

        AnyCase(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                String[] names = java.util.Arrays.stream(type.getEnumConstants())
                        .map(c -> c.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);
                String accepted = names.length == 2 ? names[0] + " or " + names[1]
                        : String.join(", ", java.util.Arrays.copyOf(names, names.length - 1)) + " or "
                                + names[names.length - 1];
                throw new picocli.CommandLine.TypeConversionException("expected " + accepted + ", found '" + value + "'");
            }
        }
    }

    static final class ScheduleConverter extends AnyCase<Schedule> {
        ScheduleConverter() {
            super(Schedule.class);
        }
    }

    static final class ProgressModeConverter extends AnyCase<ProgressPrinter.Mode> {
        ProgressModeConverter() {
            super(ProgressPrinter.Mode.class);
        }
    }
}
