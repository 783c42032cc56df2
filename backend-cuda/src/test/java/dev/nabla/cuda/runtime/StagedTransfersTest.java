package dev.nabla.cuda.runtime;

import dev.nabla.DType;
import dev.nabla.spi.JavaArrays;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chunked staging loop against a fake engine whose "device" is a byte array and whose copies are immediate. */
class StagedTransfersTest {
    /** Device memory is one ByteBuffer; pointers are byte offsets into it. */
    static final class FakeEngine implements StagedTransfers.Engine<Long> {
        final ByteBuffer device = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        final ByteBuffer[] slots;
        final boolean[] busy;
        final List<String> log = new ArrayList<>();

        FakeEngine(int slots, int slotBytes) {
            this.slots = new ByteBuffer[slots];
            this.busy = new boolean[slots];
            for (int i = 0; i < slots; i++) {
                this.slots[i] = ByteBuffer.allocateDirect(slotBytes).order(ByteOrder.nativeOrder());
            }
        }

        @Override
        public int slots() {
            return slots.length;
        }

        @Override
        public ByteBuffer slot(int i) {
            return slots[i];
        }

        @Override
        public void awaitSlot(int i) {
            log.add("await " + i);
            busy[i] = false;
        }

        @Override
        public void upload(int i, long bytes, Long dst, long dstOffset) {
            assertTrue(!busy[i], "slot reused before its copy was awaited");
            log.add("up " + i + " " + bytes + "@" + (dst + dstOffset));
            for (int b = 0; b < bytes; b++) {
                device.put((int) (dst + dstOffset + b), slots[i].get(b));
            }
            busy[i] = true;
        }

        @Override
        public void download(int i, long bytes, Long src, long srcOffset) {
            log.add("down " + i + " " + bytes + "@" + (src + srcOffset));
            for (int b = 0; b < bytes; b++) {
                slots[i].put(b, device.get((int) (src + srcOffset + b)));
            }
        }
    }

    @Test
    void everyDtypeCrossesThroughSmallSlotsInChunks() {
        for (DType dtype : DType.values()) {
            FakeEngine engine = new FakeEngine(3, 12); // 12 bytes: 1 double, 3 floats, 6 halves, 12 bools
            StagedTransfers<Long> t = new StagedTransfers<>(engine);
            Object a = HostArraysTest.sample(dtype);
            int n = HostArrays.length(a, dtype);
            t.upload(a, dtype, 0, n, 100L, 2); // at element 2 of a buffer at byte 100
            Object back = JavaArrays.newArray(dtype, n);
            t.download(100L, 2, dtype, back, 0, n);
            assertTrue(Objects.deepEquals(a, back), dtype + " " + engine.log);
            int perSlot = 12 / dtype.byteSize();
            long ups = engine.log.stream().filter(s -> s.startsWith("up")).count();
            assertEquals(Math.ceilDiv(n, perSlot), ups, dtype + " " + engine.log);
        }
    }

    @Test
    void chunksLandAtTheirOffsetsAndSlotsAreAwaitedBeforeReuse() {
        FakeEngine engine = new FakeEngine(2, 8);
        StagedTransfers<Long> t = new StagedTransfers<>(engine);
        float[] a = {1, 2, 3, 4, 5};
        t.upload(a, DType.FLOAT32, 0, 5, 0L, 1);
        assertEquals(List.of("await 0", "up 0 8@4", "await 1", "up 1 8@12", "await 0", "up 0 4@20"), engine.log);
        float[] partial = new float[3];
        t.download(0L, 2, DType.FLOAT32, partial, 1, 2);
        assertEquals(List.of(0f, 2f, 3f), List.of(partial[0], partial[1], partial[2]));
    }

    @Test
    void anEmptyRangeDoesNothing() {
        FakeEngine engine = new FakeEngine(1, 8);
        new StagedTransfers<>(engine).upload(new int[0], DType.INT32, 0, 0, 0L, 0);
        assertTrue(engine.log.isEmpty());
    }
}
