package dev.nabla;

/** Misuse of autograd: backward through a freed graph, a non-scalar loss without a gradient, and so on. */
public class AutogradException extends NablaException {
    public AutogradException(String message) {
        super(message);
    }
}
