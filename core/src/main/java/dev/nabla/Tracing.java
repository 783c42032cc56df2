package dev.nabla;

import dev.nabla.ops.Tracer;

/** Installs a {@link Tracer} that sees every primitive op run on the current thread. */
public final class Tracing {
    private Tracing() {
    }

    /** Installs {@code tracer} until the returned handle is closed; the previous tracer is restored. */
    public static SettingScope install(Tracer tracer) {
        Tracer previous = Dispatcher.TRACER.get();
        Dispatcher.TRACER.set(tracer);
        return () -> Dispatcher.TRACER.set(previous);
    }
}
