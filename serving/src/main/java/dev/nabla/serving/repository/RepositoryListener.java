package dev.nabla.serving.repository;

import dev.nabla.serving.batching.DynamicBatcher;

/** What the repository reports as models come and go, for metrics; called on the repository's scanning thread. */
public interface RepositoryListener {
    RepositoryListener NONE = new RepositoryListener() {
    };

    /** A version loaded and now serves. */
    default void loaded(String model, long version) {
    }

    /** A version failed to load (its file is damaged or its model cannot be served). */
    default void loadFailed(String model, long version) {
    }

    /** A version stopped serving and its last request finished: its memory is freed. */
    default void unloaded(String model, long version) {
    }

    /** Where the batcher of a version reports its queue and executions. */
    default DynamicBatcher.Observer batchObserver(String model, long version) {
        return DynamicBatcher.Observer.NONE;
    }
}
