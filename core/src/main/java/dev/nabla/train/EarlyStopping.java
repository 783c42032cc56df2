package dev.nabla.train;

/**
 * Stops training when the validation loss (or, without validation data, the training loss) has not
 * improved by {@code minDelta} for {@code patience} epochs. Its state follows from the epochs' results
 * alone, so a resumed run (whose history comes from the checkpoint) rebuilds it at the start and stops
 * where the uninterrupted run would have.
 */
public final class EarlyStopping implements TrainingListener {
    private final int patience;
    private final double minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int waited;

    public EarlyStopping(int patience, double minDelta) {
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public void onTrainStart(Trainer trainer, int firstEpoch, int epochs) {
        best = Double.POSITIVE_INFINITY;
        waited = 0;
        for (EpochResult done : trainer.history().epochs()) {
            onEpochEnd(trainer, done);
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        double monitored = Double.isNaN(result.validationLoss()) ? result.trainLoss() : result.validationLoss();
        if (monitored < best - minDelta) {
            best = monitored;
            waited = 0;
        } else if (++waited >= patience) {
            trainer.requestStop("no improvement for " + patience + " epochs (best " + best + ")");
        }
    }
}
