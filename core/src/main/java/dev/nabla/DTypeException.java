package dev.nabla;

/** An op was given a tensor of a dtype it does not accept. */
public class DTypeException extends NablaException {
    public DTypeException(String message) {
        super(message);
    }
}
