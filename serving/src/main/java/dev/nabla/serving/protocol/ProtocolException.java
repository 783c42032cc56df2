package dev.nabla.serving.protocol;

/**
 * A request the Open Inference Protocol does not allow or this model cannot take: the client's error, answered with
 * HTTP 400 and this message, which names what was expected and what was found.
 */
public final class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }
}
