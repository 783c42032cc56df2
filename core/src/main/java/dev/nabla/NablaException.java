package dev.nabla;

/** Base of every error Nabla raises on purpose; messages say what was expected and what was found. */
public class NablaException extends RuntimeException {
    public NablaException(String message) {
        super(message);
    }

    public NablaException(String message, Throwable cause) {
        super(message, cause);
    }
}
