package dev.nabla.autograd;

import dev.nabla.SettingScope;

/**
 * Whether operations record the autograd tape on this thread. Use
 * {@code try (var ignored = GradMode.noGrad()) { ... }} for inference and parameter updates.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[]{true});

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned handle is closed, then restores the previous mode. */
    public static SettingScope noGrad() {
        return set(false);
    }

    /** Turns recording on until the returned handle is closed, then restores the previous mode. */
    public static SettingScope enableGrad() {
        return set(true);
    }

    public static SettingScope set(boolean enabled) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return () -> flag[0] = previous;
    }
}
