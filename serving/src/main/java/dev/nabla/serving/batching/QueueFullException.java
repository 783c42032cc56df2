package dev.nabla.serving.batching;

/** A model's queue holds as many requests as it may: the request is refused (HTTP 503), not queued. */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
        super(message);
    }
}
