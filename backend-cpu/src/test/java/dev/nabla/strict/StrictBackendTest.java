package dev.nabla.strict;

import dev.nabla.DType;
import dev.nabla.cpu.CpuBackend;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.FastPath;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict backend itself: asynchronous calls, stream-ordered release, loud misuse, surfaced errors. */
class StrictBackendTest {
    private final StrictBackend backend = new StrictBackend();
    private final CountDownLatch gate = new CountDownLatch(1);

    @AfterEach
    void close() {
        gate.countDown();
        backend.close();
    }

    /** Holds the worker until {@link #gate} opens, so that calls made meanwhile can only queue their work. */
    private void blockWorker() {
        backend.stream().enqueue(() -> {
            try {
                assertTrue(gate.await(30, TimeUnit.SECONDS), "the test never opened the gate");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Operand all(Buffer b) {
        return new Operand(b, Layout.contiguous(b.capacity()));
    }

    private float[] floats(Buffer b) {
        return (float[]) backend.toArray(all(b));
    }

    @Test
    void callsReturnBeforeTheirWorkRunsAndToArrayWaitsForIt() {
        blockWorker();
        AtomicBoolean ran = new AtomicBoolean();
        Buffer x = backend.fromArray(new float[]{1, -2, 3});
        Buffer out = backend.allocate(DType.FLOAT32, 3);
        backend.unary(UnaryOp.NEG, all(x), all(out), 0);
        backend.binary(BinaryOp.MUL, all(out), all(x), all(out));
        backend.stream().enqueue(() -> ran.set(true));
        assertFalse(ran.get(), "nothing ran while the worker was held");
        gate.countDown();
        assertArrayEquals(new float[]{-1, -4, -9}, floats(out));
        assertTrue(ran.get(), "toArray waited for the work queued before it");
    }

    @Test
    void fromArrayCopiesTheCallersArrayAtOnce() {
        blockWorker();
        float[] values = {1, 2};
        Buffer b = backend.fromArray(values);
        values[0] = 99;
        gate.countDown();
        assertArrayEquals(new float[]{1, 2}, floats(b));
    }

    @Test
    void releaseFreesOnTheWorkerAfterTheWorkQueuedBeforeIt() {
        blockWorker();
        StrictBuffer x = (StrictBuffer) backend.fromArray(new double[]{1, 4, 9});
        Buffer out = backend.allocate(DType.FLOAT64, 3);
        backend.unary(UnaryOp.SQRT, all(x), all(out), 0);
        backend.release(x);
        assertTrue(x.isReleased());
        gate.countDown();
        assertArrayEquals(new double[]{1, 2, 3}, (double[]) backend.toArray(all(out)), "SQRT read x before it was freed");
        assertTrue(x.isFreed(), "freed by the worker once the queue reached the release");
    }

    @Test
    void useAfterReleaseFailsAtOnce() {
        Buffer x = backend.fromArray(new float[]{1, 2});
        Buffer out = backend.allocate(DType.FLOAT32, 2);
        backend.release(x);
        assertThrows(IllegalStateException.class, () -> backend.toArray(all(x)));
        assertThrows(IllegalStateException.class, () -> backend.unary(UnaryOp.EXP, all(x), all(out), 0));
        assertThrows(IllegalStateException.class, () -> backend.fill(all(x), 0));
        backend.synchronize(); // the refused calls queued nothing
    }

    @Test
    void releasingTwiceFailsAtOnce() {
        Buffer x = backend.allocate(DType.INT64, 4);
        backend.release(x);
        assertThrows(IllegalStateException.class, () -> backend.release(x));
        backend.synchronize();
    }

    @Test
    void aBufferOfAnotherBackendIsRefused() {
        Buffer cpuBuffer = new CpuBackend().fromArray(new float[]{1});
        assertThrows(IllegalArgumentException.class, () -> backend.release(cpuBuffer));
        try (StrictBackend other = new StrictBackend()) {
            Buffer foreign = other.fromArray(new float[]{1});
            assertThrows(IllegalArgumentException.class, () -> backend.toArray(all(foreign)));
        }
    }

    @Test
    void anErrorInQueuedWorkSurfacesOnTheNextCallOnce() {
        blockWorker();
        Buffer src = backend.fromArray(new float[]{1, 2, 3});
        Buffer index = backend.fromArray(new long[]{7});
        Buffer out = backend.allocate(DType.FLOAT32, 1);
        // queued without complaint: the bounds check runs later, on the worker
        backend.indexSelect(all(src), 0, all(index), all(out));
        gate.countDown();
        assertThrows(IndexOutOfBoundsException.class, backend::synchronize);
        backend.synchronize(); // reported once, then the backend works again
        assertArrayEquals(new float[]{1, 2, 3}, floats(src));
    }

    @Test
    void anErrorInQueuedWorkSurfacesOnTheNextOpToo() throws InterruptedException {
        Buffer src = backend.fromArray(new float[]{1, 2, 3});
        Buffer index = backend.fromArray(new long[]{-1});
        Buffer out = backend.allocate(DType.FLOAT32, 1);
        backend.indexSelect(all(src), 0, all(index), all(out));
        CountDownLatch done = new CountDownLatch(1);
        backend.stream().enqueue(done::countDown);
        assertTrue(done.await(30, TimeUnit.SECONDS)); // the failing work finished, and nothing reported it yet
        assertThrows(IndexOutOfBoundsException.class, () -> backend.fill(all(out), 0));
    }

    @Test
    void memoryIsReachableOnlyOnTheWorkerThread() {
        StrictBuffer b = (StrictBuffer) backend.fromArray(new int[]{1, 2});
        backend.synchronize();
        assertThrows(IllegalStateException.class, b::read);
        assertThrows(IllegalStateException.class, () -> b.write(new int[]{3, 4}));
    }

    @Test
    void newMemoryIsPoisonedNotZeroed() {
        Buffer f = backend.allocate(DType.FLOAT32, 2);
        Buffer l = backend.allocate(DType.INT64, 1);
        assertTrue(Float.isNaN(floats(f)[0]));
        assertEquals(-1L, ((long[]) backend.toArray(all(l)))[0]);
    }

    @Test
    void stridedAndAliasedOutputsLandAtTheirElements() {
        Buffer b = backend.fromArray(new float[]{0, 1, 2, 3, 4, 5});
        Operand odd = new Operand(b, new Layout(new int[]{3}, new int[]{2}, 1));
        Operand even = new Operand(b, new Layout(new int[]{3}, new int[]{2}, 0));
        backend.binary(BinaryOp.ADD, odd, even, odd); // in place, through a strided view of one buffer
        assertArrayEquals(new float[]{0, 1, 2, 5, 4, 9}, floats(b));
        backend.fill(even, -1);
        assertArrayEquals(new float[]{-1, 1, -1, 5, -1, 9}, floats(b));
        assertArrayEquals(new float[]{1, 5, 9}, (float[]) backend.toArray(odd));
    }

    @Test
    void copyConvertsAndBoolsRoundTrip() {
        Buffer bools = backend.fromArray(new boolean[]{true, false, true});
        assertArrayEquals(new boolean[]{true, false, true}, (boolean[]) backend.toArray(all(bools)));
        Buffer f = backend.allocate(DType.FLOAT32, 3);
        backend.copy(all(bools), all(f));
        assertArrayEquals(new float[]{1, 0, 1}, floats(f));
    }

    @Test
    void theOptionalFastPathsAreDeniedAndFailIfCalled() {
        for (FastPath path : FastPath.values()) {
            for (DType dtype : DType.values()) {
                assertFalse(backend.supports(path, dtype), path + " " + dtype);
            }
        }
        assertThrows(AssertionError.class, () -> backend.reluBackward(null, null, null));
        assertThrows(AssertionError.class, () -> backend.batchNormStats(null, null));
    }
}
