package dev.nabla;

/**
 * What {@link Nabla#backends()} found: one entry per backend provider on the class path.
 *
 * @param name      device type served, e.g. {@code "cpu"}
 * @param priority  the provider's priority
 * @param available whether it can run here
 * @param detail    a description when available, else why not
 */
public record BackendInfo(String name, int priority, boolean available, String detail) {
    @Override
    public String toString() {
        return String.format("%-6s %s (priority %d): %s", name, available ? "available  " : "unavailable", priority, detail);
    }
}
