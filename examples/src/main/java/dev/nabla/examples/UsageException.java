package dev.nabla.examples;

/** A problem with what the user asked for; the CLI prints its message without a stack trace. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
