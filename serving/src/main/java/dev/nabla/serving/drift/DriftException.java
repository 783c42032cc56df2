package dev.nabla.serving.drift;

import dev.nabla.NablaException;

/** Drift cannot be tested as asked: captured inputs that do not match the reference, too small a window. */
public class DriftException extends NablaException {
    public DriftException(String message) {
        super(message);
    }
}
