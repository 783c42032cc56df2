package dev.nabla.strict;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Moves between the CPU and a device that queues its work: one copy each way, and asynchronous reads. */
class StrictDeviceMoveTest {
    @Test
    void toTheDeviceCopiesStraightFromTheHostArray() {
        Tensor host = Tensor.arange(20).to(DType.FLOAT32).reshape(4, 5);
        Tensor rows = host.narrow(0, 1, 2); // a contiguous view at an offset
        long writes = StrictBackend.HOST_WRITES.get();
        long direct = StrictBackend.DIRECT_COPIES.get();
        Tensor moved = rows.to(StrictBackend.DEVICE);
        assertEquals(writes + 1, StrictBackend.HOST_WRITES.get(), "one host-to-device copy");
        assertEquals(direct + 1, StrictBackend.DIRECT_COPIES.get(), "read from the CPU's own array");
        assertArrayEquals(rows.toFloatArray(), moved.toFloatArray());
    }

    @Test
    void toTheHostReadsOnce() {
        Tensor device = Tensor.full(StrictBackend.DEVICE, DType.INT64, 7, 3, 2).t();
        long reads = StrictBackend.HOST_READS.get();
        Tensor host = device.to(Device.CPU);
        assertEquals(reads + 1, StrictBackend.HOST_READS.get(), "one device-to-host copy");
        assertArrayEquals(new long[]{7, 7, 7, 7, 7, 7}, host.toLongArray());
        assertArrayEquals(new int[]{2, 3}, host.shape());
    }

    @Test
    void anAsynchronousReadReturnsBeforeTheDeviceIsDone() throws Exception {
        Tensor x = Tensor.full(StrictBackend.DEVICE, DType.FLOAT32, 2, 1000);
        var future = x.mul(3).sum().toAsync(Device.CPU);
        try (Tensor sum = future.get(30, TimeUnit.SECONDS)) {
            assertEquals(6000, sum.item());
            assertEquals(Device.CPU, sum.device());
        }
    }

    @Test
    void anErrorOfQueuedWorkFailsTheAsynchronousRead() throws Exception {
        Tensor src = Tensor.full(StrictBackend.DEVICE, DType.FLOAT32, 1, 4);
        Tensor badIndex = Tensor.of(new long[]{0, 9}).to(StrictBackend.DEVICE);
        Tensor gathered = src.gather(0, badIndex); // queued; fails on the worker
        // The worker may fail before or after the read is queued: the error surfaces at the read's call or fails
        // its future, never neither.
        Throwable error;
        try {
            gathered.toAsync(Device.CPU).get(30, TimeUnit.SECONDS);
            error = null;
        } catch (ExecutionException e) {
            error = e.getCause();
        } catch (IndexOutOfBoundsException e) {
            error = e;
        }
        assertInstanceOf(IndexOutOfBoundsException.class, error);
        // the error was reported once: later calls work
        assertEquals(4, Tensor.full(StrictBackend.DEVICE, DType.FLOAT32, 1, 4).sum().item());
    }
}
