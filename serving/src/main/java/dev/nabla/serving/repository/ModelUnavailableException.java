package dev.nabla.serving.repository;

/** The model is in the repository but no version of it is serving, e.g. none loads (HTTP 503). */
public final class ModelUnavailableException extends RuntimeException {
    public ModelUnavailableException(String message) {
        super(message);
    }
}
