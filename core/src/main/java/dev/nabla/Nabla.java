package dev.nabla;

import dev.nabla.engine.Backends;

import java.util.List;

/** Library-wide settings: the global random generator, the default device, and backend discovery. */
public final class Nabla {
    private static final Generator GLOBAL_GENERATOR = new Generator(0x5EED);
    private static volatile Device defaultDevice = Device.CPU;

    private Nabla() {
    }

    /** Seeds the global generator used by {@code rand}, {@code randn}, {@code randint} and initializers. */
    public static void manualSeed(long seed) {
        synchronized (GLOBAL_GENERATOR) {
            GLOBAL_GENERATOR.manualSeed(seed);
        }
    }

    /** The global generator; synchronize on it when drawing from several threads. */
    public static Generator generator() {
        return GLOBAL_GENERATOR;
    }

    /** Device on which factory methods ({@code zeros}, {@code of}, ...) create tensors. */
    public static Device defaultDevice() {
        return defaultDevice;
    }

    public static void setDefaultDevice(Device device) {
        Backends.of(device); // fail now, with the reason, if the backend is missing
        defaultDevice = device;
    }

    /** Every backend provider on the class path, with whether it can run here and why not. */
    public static List<BackendInfo> backends() {
        return Backends.infos();
    }

    /** True if a backend for {@code device} is on the class path and its probe succeeded. */
    public static boolean isAvailable(Device device) {
        return backends().stream().anyMatch(b -> b.available() && b.name().equals(device.type()));
    }

    /**
     * True if {@code device}'s backend finishes each call before it returns (the CPU), so that reading a result never
     * waits for queued work; false for a device that queues work (a GPU), where every read of a value is a
     * synchronization to avoid in a training step. Library code checks some inputs by reading them (a loss's class
     * indices) only on synchronous devices; elsewhere the kernels' own bounds checks report them, at a later read.
     */
    public static boolean isSynchronous(Device device) {
        return Backends.of(device).isSynchronous();
    }
}
