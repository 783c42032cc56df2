package dev.nabla.inference;

import dev.nabla.NablaException;

/** A graph that is inconsistent, or an op or attribute a graph cannot hold; the message names the node. */
public class GraphException extends NablaException {
    public GraphException(String message) {
        super(message);
    }

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
