package dev.nabla.inference;

import dev.nabla.NablaException;

/**
 * A model whose forward cannot be captured as a graph: it reads tensor values into Java, draws random numbers,
 * writes in place, or computes differently at another batch size. The message names the op and the module.
 */
public class TraceException extends NablaException {
    public TraceException(String message) {
        super(message);
    }
}
