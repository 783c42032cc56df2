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
