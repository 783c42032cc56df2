package dev.nabla.serving.capture;

import dev.nabla.NablaException;

/**
 * The capture database failed or is not what was expected (another program's tables, a newer schema, a corrupt
 * row); the message names the store and the problem.
 */
public class CaptureStoreException extends NablaException {
    public CaptureStoreException(String message) {
        super(message);
    }

    public CaptureStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
