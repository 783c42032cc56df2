package dev.nabla.spi;

/**
 * Whether a backend can run on this machine, and if not, why.
 *
 * @param available true if {@link BackendProvider#create} will succeed
 * @param reason    a human-readable explanation (e.g. the missing native library); for an available
 *                  backend a short description such as the device name
 */
public record Probe(boolean available, String reason) {
    public static Probe available(String description) {
        return new Probe(true, description);
    }

    public static Probe unavailable(String reason) {
        return new Probe(false, reason);
    }
}
