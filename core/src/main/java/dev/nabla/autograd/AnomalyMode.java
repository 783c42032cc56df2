package dev.nabla.autograd;

import dev.nabla.SettingScope;

/**
 * When enabled, every floating-point result of a forward op and every gradient computed in
 * backward is checked for NaN and infinity, and the first op that produces one raises an
 * {@link dev.nabla.AnomalyException} naming the op and its input shapes. Slow: for debugging.
 */
public final class AnomalyMode {
    private static volatile boolean enabled = Boolean.getBoolean("nabla.anomaly");

    private AnomalyMode() {
    }

    public static boolean isEnabled() {
        return enabled;
    }

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** Enables anomaly detection until the returned handle is closed. */
    public static SettingScope enable() {
        boolean previous = enabled;
        enabled = true;
        return () -> enabled = previous;
    }
}
