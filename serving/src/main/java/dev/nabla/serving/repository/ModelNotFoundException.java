package dev.nabla.serving.repository;

/** No such model in the repository, or not the version asked for (HTTP 404). */
public final class ModelNotFoundException extends RuntimeException {
    public ModelNotFoundException(String message) {
        super(message);
    }
}
