package dev.nabla.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a full {@link Checkpoint} to one file after every epoch (atomically replacing the last), with the
 * history so far, so a resumed run's history covers every epoch.
 */
public final class CheckpointEveryEpoch implements TrainingListener {
    private final Path file;

    public CheckpointEveryEpoch(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        Checkpoint.save(file, trainer.model(), trainer.optimizer(), trainer.scheduler(), result.epoch() + 1,
                trainer.dataSeed(), Map.of("history", trainer.history().toJson()));
    }
}
