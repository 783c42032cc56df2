package dev.nabla;

import dev.nabla.engine.Dispatcher;
import dev.nabla.ops.Tracer;

/** Installs a {@link Tracer} that sees every primitive op run on the current thread. */
public final class Tracing {
    private Tracing() {
    }

    /** Installs {@code tracer} until the returned handle is closed; the previous tracer is restored. */
    public static SettingScope install(Tracer tracer) {
        Tracer previous = Dispatcher.TRACER.get();
        Dispatcher.TRACER.set(tracer);
        return () -> restore(previous);
    }

    /** The tracer installed on this thread, or null. */
    public static Tracer current() {
        return Dispatcher.TRACER.get();
    }

    /**
     * Removes this thread's tracer until the returned handle is closed: for a tracer's own work (reading a
     * constant's values, say) that must not be traced.
     */
    public static SettingScope pause() {
        return install(null);
    }

    private static void restore(Tracer previous) {
        if (previous == null) {
            Dispatcher.TRACER.remove();
        } else {
            Dispatcher.TRACER.set(previous);
        }
    }
}
