package dev.nabla.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a full {@link Checkpoint} to one file after every epoch (atomically replacing the last), with the
 * history so far, so a resumed run's history covers every epoch.
 */
public final class CheckpointEveryEpoch implements TrainingListener {
    private final Path file;
    private final Map<String, String> metadata;

    public CheckpointEveryEpoch(Path file) {
        this(file, Map.of());
    }

    /**
     * With {@code metadata} written into every checkpoint too (e.g. which model architecture it holds, so that a
     * tool can rebuild the model from the file alone).
     */
    public CheckpointEveryEpoch(Path file, Map<String, String> metadata) {
        this.file = file;
        this.metadata = Map.copyOf(metadata);
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        Map<String, String> extra = new java.util.LinkedHashMap<>(metadata);
        extra.put("history", trainer.history().toJson());
        Checkpoint.save(file, trainer.model(), trainer.optimizer(), trainer.scheduler(), result.epoch() + 1,
                trainer.dataSeed(), extra);
    }
}
