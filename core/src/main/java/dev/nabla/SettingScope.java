package dev.nabla;

/**
 * Restores a thread or library setting (grad mode, anomaly mode, an installed tracer) to its
 * previous value when closed: {@code try (var off = GradMode.noGrad()) { ... }}.
 */
@FunctionalInterface
public interface SettingScope extends AutoCloseable {
    @Override
    void close();
}
