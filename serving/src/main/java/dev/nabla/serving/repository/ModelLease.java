package dev.nabla.serving.repository;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's hold on one model version: the version stays loaded until every lease on it is closed. Close it
 * once the request has answered.
 */
public final class ModelLease implements AutoCloseable {
    private final ServedModel model;
    private final AtomicBoolean closed = new AtomicBoolean();

    ModelLease(ServedModel model) {
        this.model = model;
    }

    public ServedModel model() {
        return model;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            model.release();
        }
    }
}
