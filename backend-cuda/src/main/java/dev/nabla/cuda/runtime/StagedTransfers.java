package dev.nabla.cuda.runtime;

import dev.nabla.DType;

import java.nio.ByteBuffer;

/**
 * Host ↔ device copies staged through a ring of pinned buffers ("slots"), run on the device thread. A Java array is
 * never handed to an asynchronous copy (JCuda pins a heap array only during the JNI call, CUDA-NOTES.md, "Host
 * memory"): its elements are written into a pinned slot and the slot is copied on the stream; a slot is reused only
 * after its last copy is done (an event per slot). So an upload does not wait for the GPU unless the ring has gone
 * round while the stream is busy, the caller's array may be reused as soon as the upload call returns, and a large
 * array crosses in slot-sized chunks.
 *
 * <p>The device side is the {@link Engine}: JCuda's {@code cuMemcpyHtoDAsync}/{@code cuMemcpyDtoHAsync} and events
 * on a GPU ({@code PinnedStaging}), plain memory in the tests. Not thread-safe: device thread only.
 *
 * @param <P> the engine's device pointer type
 */
public final class StagedTransfers<P> {
    /** The pinned slots and the stream copies. */
    public interface Engine<P> {
        int slots();

        /** Pinned slot {@code i} (native order); its capacity is the chunk size in bytes. */
        ByteBuffer slot(int i);

        /** Waits until the last copy queued from or into slot {@code i} is done (no-op if none). */
        void awaitSlot(int i);

        /** Queues a copy of the first {@code bytes} of slot {@code i} to {@code dst + dstOffset}; returns at once. */
        void upload(int i, long bytes, P dst, long dstOffset);

        /** Copies {@code bytes} from {@code src + srcOffset} into slot {@code i} on the stream and waits for it. */
        void download(int i, long bytes, P src, long srcOffset);
    }

    private final Engine<P> engine;
    private int next;

    public StagedTransfers(Engine<P> engine) {
        if (engine.slots() < 1) {
            throw new IllegalArgumentException("staging needs at least one slot");
        }
        this.engine = engine;
    }

    /** Elements of {@code dtype} one slot holds. */
    int chunkElements(int slot, DType dtype) {
        int n = (int) Math.min(Integer.MAX_VALUE, engine.slot(slot).capacity() / dtype.byteSize());
        if (n < 1) {
            throw new IllegalStateException("staging slot of " + engine.slot(slot).capacity() + " bytes is too small");
        }
        return n;
    }

    /**
     * Queues the copy of elements {@code [from, from + count)} of {@code array} to {@code dst} starting at element
     * {@code dstElement}; the array has been read when this returns.
     */
    public void upload(Object array, DType dtype, int from, int count, P dst, long dstElement) {
        int es = dtype.byteSize();
        int done = 0;
        while (done < count) {
            int slot = nextSlot();
            engine.awaitSlot(slot);
            int n = Math.min(count - done, chunkElements(slot, dtype));
            HostArrays.put(array, dtype, from + done, n, engine.slot(slot));
            engine.upload(slot, (long) n * es, dst, (dstElement + done) * es);
            done += n;
        }
    }

    /** Copies {@code count} elements from {@code src} at element {@code srcElement} into {@code array} at {@code from}. */
    public void download(P src, long srcElement, DType dtype, Object array, int from, int count) {
        int es = dtype.byteSize();
        int done = 0;
        while (done < count) {
            int slot = nextSlot();
            engine.awaitSlot(slot);
            int n = Math.min(count - done, chunkElements(slot, dtype));
            engine.download(slot, (long) n * es, src, (srcElement + done) * es);
            HostArrays.get(engine.slot(slot), dtype, array, from + done, n);
            done += n;
        }
    }

    private int nextSlot() {
        int slot = next;
        next = (next + 1) % engine.slots();
        return slot;
    }
}
