package dev.nabla.examples.fashion;

import dev.nabla.examples.UsageException;
import dev.nabla.io.FileFormatException;
import dev.nabla.train.Checkpoint;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training options a Fashion-MNIST checkpoint records next to its architecture, and the check that a run
 * resumed from it ({@code --resume}) continues that same run: same model, same options, same data, so that the
 * result is bit for bit what the uninterrupted run gives. Anything else is refused with one line naming the option.
 */
final class TrainingRecord {
    static final String KEY_BATCH_SIZE = "nabla.batch_size";
    static final String KEY_LR = "nabla.lr";
    static final String KEY_SCHEDULE = "nabla.schedule";
    static final String KEY_SEED = "nabla.seed";
    static final String KEY_LIMIT_TRAIN = "nabla.limit_train";
    /** How many training examples the run had (the data source and --limit-train decide). */
    static final String KEY_TRAIN_EXAMPLES = "nabla.train_examples";
    /** The epochs the run was started for: the cosine schedule spans all of them. */
    static final String KEY_EPOCHS = "nabla.epochs";

    private TrainingRecord() {
    }

    /** An option as a checkpoint records it: the value is a string that is equal exactly when the options are. */
    private record Setting(String option, String key, String value) {
    }

    private static List<Setting> settings(FashionOptions o) {
        return List.of(
                new Setting("--batch-size", KEY_BATCH_SIZE, Integer.toString(o.batchSize)),
                new Setting("--lr", KEY_LR, plain(o.lr)),
                new Setting("--schedule", KEY_SCHEDULE, o.schedule.name().toLowerCase(Locale.ROOT)),
                new Setting("--seed", KEY_SEED, Long.toString(o.seed)),
                new Setting("--limit-train", KEY_LIMIT_TRAIN, Integer.toString(o.data.limitTrain)));
    }

    /** The metadata a run's checkpoints carry besides the architecture. */
    static Map<String, String> of(FashionOptions o, int epochs, int trainExamples) {
        Map<String, String> record = new LinkedHashMap<>();
        for (Setting s : settings(o)) {
            record.put(s.key(), s.value());
        }
        record.put(KEY_TRAIN_EXAMPLES, Integer.toString(trainExamples));
        record.put(KEY_EPOCHS, Integer.toString(epochs));
        return record;
    }

    /**
     * The epochs a run resumed from {@code checkpoint} trains to: {@code --epochs}, else those the checkpoint's run
     * was started for. Refuses a checkpoint of another model or of other options, one that does not record them
     * (written before {@code --resume} existed), and one that already holds all those epochs. The data is checked
     * once loaded, by {@link #checkTrainExamples}.
     */
    static int epochsToResume(Path file, Checkpoint checkpoint, FashionRun.Model model, FashionOptions o) {
        Map<String, String> recorded = checkpoint.metadata();
        String resume = "--resume " + file;
        checkArchitecture(resume, recorded, model.architecture());

        List<String> differences = new ArrayList<>();
        for (Setting s : settings(o)) {
            String value = required(resume, recorded, s.key(), s.option());
            if (!value.equals(s.value())) {
                differences.add(s.option() + " " + value + ", not " + s.value());
            }
        }
        if (!differences.isEmpty()) {
            throw new UsageException(resume + " was trained with " + String.join("; ", differences));
        }
        int startedFor = parseEpochs(file, required(resume, recorded, KEY_EPOCHS, "--epochs"));
        int epochs = o.epochs != null ? o.epochs : startedFor;
        boolean cosine = o.schedule == FashionOptions.Schedule.COSINE;
        if (cosine && epochs != startedFor) {
            throw new UsageException(resume + " was trained with --epochs " + startedFor + ", not " + epochs
                    + ": the cosine schedule spans all epochs of a run (a --schedule constant run can be extended)");
        }
        int done = checkpoint.epochsDone();
        if (done >= epochs) {
            throw new UsageException(resume + " already holds " + done + " epoch" + (done == 1 ? "" : "s")
                    + (cosine ? ", all of its run; to train longer, start a new run with a larger --epochs"
                    : ", " + (done == epochs ? "all" : "more than") + " --epochs " + epochs
                    + " asks for; pass a larger --epochs to train more"));
        }
        return epochs;
    }

    /** Refuses to resume on another number of training examples than the checkpoint's run had. */
    static void checkTrainExamples(Path file, Checkpoint checkpoint, int trainExamples) {
        String resume = "--resume " + file;
        String examples = required(resume, checkpoint.metadata(), KEY_TRAIN_EXAMPLES, "its number of training examples");
        if (!examples.equals(Integer.toString(trainExamples))) {
            throw new UsageException(resume + " was trained on " + examples + " training examples, not " + trainExamples
                    + " (--data-dir, --sample and --limit-train choose them)");
        }
    }

    /** The example model, {@code --bn} and {@code --augment}; checked first, as they make another model. */
    private static void checkArchitecture(String resume, Map<String, String> recorded, Map<String, String> expected) {
        String example = recorded.get(FashionModels.KEY_EXAMPLE);
        if (example == null) {
            throw new UsageException(resume + " does not record which example model it holds (metadata '"
                    + FashionModels.KEY_EXAMPLE + "'); it was not written by nabla fashion-mlp or fashion-cnn");
        }
        String wanted = expected.get(FashionModels.KEY_EXAMPLE);
        if (!example.equals(wanted)) {
            throw new UsageException(resume + " holds a " + example + " model, not " + wanted);
        }
        checkFlag(resume, recorded, expected, FashionModels.KEY_BATCH_NORM, "--bn");
        checkFlag(resume, recorded, expected, FashionModels.KEY_AUGMENT, "--augment");
    }

    private static void checkFlag(String resume, Map<String, String> recorded, Map<String, String> expected, String key,
                                  String option) {
        boolean was = Boolean.parseBoolean(required(resume, recorded, key, option));
        boolean is = Boolean.parseBoolean(expected.get(key));
        if (was != is) {
            throw new UsageException(resume + " was trained " + (was ? "with " + option + ", not without it"
                    : "without " + option + ", not with it"));
        }
    }

    private static String required(String resume, Map<String, String> recorded, String key, String what) {
        String value = recorded.get(key);
        if (value == null) {
            throw new UsageException(resume + " does not record " + what + " (metadata '" + key + "'): it was "
                    + "written before nabla could resume a run, so it cannot be continued exactly; start a new run");
        }
        return value;
    }

    private static int parseEpochs(Path file, String value) {
        try {
            int epochs = Integer.parseInt(value.trim());
            if (epochs > 0) {
                return epochs;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new FileFormatException(file, "checkpoint metadata '" + KEY_EPOCHS + "' must be a positive integer, found '"
                + value + "'");
    }

    /** {@code 0.001} for 1e-3: as a user writes it, and equal for equal doubles (from the shortest round trip). */
    private static String plain(double value) {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }
}
