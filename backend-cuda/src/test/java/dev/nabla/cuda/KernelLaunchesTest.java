package dev.nabla.cuda;

import dev.nabla.cuda.kernels.KernelCall;
import dev.nabla.cuda.runtime.DeviceAddress;
import dev.nabla.cuda.runtime.KernelArgs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A KernelCall's arguments become the launch's typed arguments, one for one (the C types must match exactly). */
class KernelLaunchesTest {
    @Test
    void everyArgumentKeepsItsCType() {
        Supplier<DeviceAddress> pointer = () -> new DeviceAddress(1, 0);
        KernelCall call = new KernelCall("m", "k", 1, 256,
                new Object[]{pointer, new int[18], 7, 8L, 1.5f, 2.5});
        KernelArgs args = KernelLaunches.args(call);
        assertEquals(List.of(KernelArgs.Kind.POINTER, KernelArgs.Kind.LAYOUT, KernelArgs.Kind.INT32,
                KernelArgs.Kind.INT64, KernelArgs.Kind.FLOAT32, KernelArgs.Kind.FLOAT64), args.kinds());
        assertEquals(8L, ((long[]) args.value(3))[0]);
    }

    @Test
    void anUnknownArgumentTypeIsRefused() {
        KernelCall call = new KernelCall("m", "k", 1, 256, new Object[]{"text"});
        assertThrows(IllegalStateException.class, () -> KernelLaunches.args(call));
    }
}
