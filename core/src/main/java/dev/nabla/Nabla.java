package dev.nabla;

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
}
