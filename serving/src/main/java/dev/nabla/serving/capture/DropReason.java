package dev.nabla.serving.capture;

import java.util.Locale;

/** Why a request the sampler kept was not captured. */
public enum DropReason {
    /** The writer was behind: the queue held its most records or bytes. */
    QUEUE_FULL,
    /** More samples, or more values per sample, than the configured limits. */
    TOO_LARGE,
    /** Tensor lengths that do not match their shapes, or names longer than the columns. */
    MALFORMED,
    /** A request with the same id was already captured for the model; the first one is kept. */
    DUPLICATE,
    /** The database refused the write (full disk, lost connection); logged. */
    WRITE_FAILED,
    /** Offered after the store was closed. */
    CLOSED;

    /** The name in metrics labels: {@code queue_full}, {@code too_large}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
