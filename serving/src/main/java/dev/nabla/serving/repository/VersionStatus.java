package dev.nabla.serving.repository;

/**
 * One version directory as the last scan left it.
 *
 * @param reason why a {@link State#FAILED} version failed; null otherwise
 */
public record VersionStatus(long version, State state, String reason) {
    public enum State {
        /** Serving requests. */
        READY,
        /** Its file failed to load; it is tried again once the file changes. */
        FAILED,
        /** Present but not served: a newer version serves. */
        UNAVAILABLE
    }
}
