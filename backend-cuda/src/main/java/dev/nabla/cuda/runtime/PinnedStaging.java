package dev.nabla.cuda.runtime;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.nabla.cuda.runtime.CudaErrors.checkDriver;

/**
 * The pinned slots of {@link StagedTransfers} on a GPU: {@code slots} page-locked host buffers
 * ({@code cuMemHostAlloc}, seen as native-order {@link ByteBuffer}s through {@code Pointer.getByteBuffer}), each with
 * an event recorded after its last copy ({@code cuEventRecord} on the stream, {@code CU_EVENT_DISABLE_TIMING}). Create,
 * use and close on the device thread; {@link #close()} synchronizes the stream before freeing the host memory.
 */
public final class PinnedStaging implements StagedTransfers.Engine<CUdeviceptr>, AutoCloseable {
    private final CudaStream stream;
    private final Pointer[] hosts;
    private final ByteBuffer[] buffers;
    private final CUevent[] events;
    private final boolean[] busy;

    public PinnedStaging(CudaStream stream, int slots, int slotBytes) {
        this.stream = stream;
        hosts = new Pointer[slots];
        buffers = new ByteBuffer[slots];
        events = new CUevent[slots];
        busy = new boolean[slots];
        try {
            for (int i = 0; i < slots; i++) {
                Pointer host = new Pointer();
                checkDriver(JCudaDriver.cuMemHostAlloc(host, slotBytes, 0), "cuMemHostAlloc(" + slotBytes + ")");
                hosts[i] = host;
                buffers[i] = host.getByteBuffer(0, slotBytes).order(ByteOrder.nativeOrder());
                CUevent event = new CUevent();
                checkDriver(JCudaDriver.cuEventCreate(event, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
                events[i] = event;
            }
        } catch (RuntimeException e) {
            freeAll();
            throw e;
        }
    }

    @Override
    public int slots() {
        return buffers.length;
    }

    @Override
    public ByteBuffer slot(int i) {
        return buffers[i];
    }

    @Override
    public void awaitSlot(int i) {
        if (busy[i]) {
            checkDriver(JCudaDriver.cuEventSynchronize(events[i]), "cuEventSynchronize");
            busy[i] = false;
        }
    }

    @Override
    public void upload(int i, long bytes, CUdeviceptr dst, long dstOffset) {
        checkDriver(JCudaDriver.cuMemcpyHtoDAsync(dst.withByteOffset(dstOffset), hosts[i], bytes, stream.handle()),
                "cuMemcpyHtoDAsync");
        checkDriver(JCudaDriver.cuEventRecord(events[i], stream.handle()), "cuEventRecord");
        busy[i] = true;
    }

    @Override
    public void download(int i, long bytes, CUdeviceptr src, long srcOffset) {
        checkDriver(JCudaDriver.cuMemcpyDtoHAsync(hosts[i], src.withByteOffset(srcOffset), bytes, stream.handle()),
                "cuMemcpyDtoHAsync");
        checkDriver(JCudaDriver.cuEventRecord(events[i], stream.handle()), "cuEventRecord");
        busy[i] = true;
        awaitSlot(i);
    }

    @Override
    public void close() {
        try {
            stream.synchronize();
        } finally {
            freeAll();
        }
    }

    private void freeAll() {
        for (int i = 0; i < hosts.length; i++) {
            if (events[i] != null) {
                JCudaDriver.cuEventDestroy(events[i]);
                events[i] = null;
            }
            if (hosts[i] != null) {
                JCudaDriver.cuMemFreeHost(hosts[i]);
                hosts[i] = null;
                buffers[i] = null;
            }
        }
    }
}
