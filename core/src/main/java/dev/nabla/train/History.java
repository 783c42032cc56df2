package dev.nabla.train;

import dev.nabla.io.AtomicFiles;
import dev.nabla.io.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The per-epoch metrics of a training run, writable as JSON or CSV. */
public final class History {
    private final List<EpochResult> epochs = new ArrayList<>();

    public void add(EpochResult result) {
        epochs.add(result);
    }

    /** Replaces the epochs (a resumed run starts from those of its checkpoint). */
    void replaceWith(History other) {
        epochs.clear();
        epochs.addAll(other.epochs);
    }

    /**
     * Reads what {@link #toJson()} wrote; a {@code null} metric (JSON has no NaN, e.g. no validation set)
     * reads back as NaN.
     *
     * @throws IllegalArgumentException naming the first entry that is missing or not a number
     */
    public static History fromJson(String json) {
        Object parsed = Json.parse(json);
        if (!(parsed instanceof Map<?, ?> root) || !(root.get("epochs") instanceof List<?> rows)) {
            throw new IllegalArgumentException("history JSON must be an object with an 'epochs' array");
        }
        History history = new History();
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i) instanceof Map<?, ?> row)) {
                throw new IllegalArgumentException("history epoch " + i + " is not a JSON object");
            }
            Object epoch = row.get("epoch");
            if (!(epoch instanceof Long whole) || whole < 0 || whole > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("history epoch " + i + ": 'epoch' must be a whole number from 0 to "
                        + Integer.MAX_VALUE + ", found " + epoch);
            }
            history.add(new EpochResult((int) (long) whole, number(row, "train_loss", i), number(row, "train_accuracy", i),
                    number(row, "validation_loss", i), number(row, "validation_accuracy", i),
                    number(row, "seconds", i), number(row, "samples_per_second", i), number(row, "learning_rate", i)));
        }
        return history;
    }

    private static double number(Map<?, ?> row, String key, int index) {
        if (!row.containsKey(key)) {
            throw new IllegalArgumentException("history epoch " + index + " lacks '" + key + "'");
        }
        Object value = row.get(key);
        if (value == null) {
            return Double.NaN;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("history epoch " + index + ": '" + key + "' is not a number: " + value);
        }
        return n.doubleValue();
    }

    public List<EpochResult> epochs() {
        return List.copyOf(epochs);
    }

    public EpochResult last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    public String toJson() {
        List<Object> rows = new ArrayList<>();
        for (EpochResult e : epochs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e.epoch());
            row.put("train_loss", e.trainLoss());
            row.put("train_accuracy", e.trainAccuracy());
            row.put("validation_loss", e.validationLoss());
            row.put("validation_accuracy", e.validationAccuracy());
            row.put("seconds", e.seconds());
            row.put("samples_per_second", e.samplesPerSecond());
            row.put("learning_rate", e.learningRate());
            rows.add(row);
        }
        return Json.writePretty(Map.of("epochs", rows));
    }

    public String toCsv() {
        StringBuilder sb = new StringBuilder(
                "epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,seconds,samples_per_second,learning_rate\n");
        for (EpochResult e : epochs) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f,%.6g%n", e.epoch(), e.trainLoss(),
                    e.trainAccuracy(), e.validationLoss(), e.validationAccuracy(), e.seconds(), e.samplesPerSecond(),
                    e.learningRate()));
        }
        return sb.toString();
    }

    public void writeJson(Path file) {
        AtomicFiles.writeString(file, toJson());
    }

    public void writeCsv(Path file) {
        AtomicFiles.writeString(file, toCsv());
    }
}
