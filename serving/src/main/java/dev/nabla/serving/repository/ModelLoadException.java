package dev.nabla.serving.repository;

/** A model version that cannot be served: its file is damaged, or its model is not one the server can run. */
public final class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelLoadException(String message) {
        super(message);
    }
}
