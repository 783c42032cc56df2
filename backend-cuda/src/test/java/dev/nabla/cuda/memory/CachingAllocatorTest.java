package dev.nabla.cuda.memory;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachingAllocatorTest {
    /** Device memory with a capacity, counting the calls a real device would be slow at. */
    static final class FakeMemory implements DeviceMemory {
        final long total;
        final Map<Long, Long> blocks = new HashMap<>();
        long used;
        long nextAddress = 0x7f00_0000_0000L;
        int mallocs;
        int frees;

        FakeMemory(long total) {
            this.total = total;
        }

        @Override
        public Long allocate(long bytes) {
            mallocs++;
            if (used + bytes > total) {
                return null;
            }
            long address = nextAddress;
            nextAddress += bytes;
            blocks.put(address, bytes);
            used += bytes;
            return address;
        }

        @Override
        public void free(long address) {
            frees++;
            Long bytes = blocks.remove(address);
            if (bytes == null) {
                throw new AssertionError("freed an unknown address");
            }
            used -= bytes;
        }

        @Override
        public long freeBytes() {
            return total - used;
        }

        @Override
        public long totalBytes() {
            return total;
        }
    }

    @Test
    void sizesRoundUpTo512BytesThenTo2MiB() {
        assertEquals(512, CachingAllocator.roundedSize(0));
        assertEquals(512, CachingAllocator.roundedSize(1));
        assertEquals(512, CachingAllocator.roundedSize(512));
        assertEquals(1024, CachingAllocator.roundedSize(513));
        assertEquals(1L << 20, CachingAllocator.roundedSize(1L << 20));
        assertEquals(2L << 20, CachingAllocator.roundedSize((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.roundedSize((2L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.roundedSize(-1));
    }

    @Test
    void aFreedBlockServesTheNextRequestOfItsSizeWithoutTheDevice() {
        FakeMemory memory = new FakeMemory(1L << 30);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        CachingAllocator.Block a = allocator.allocate(4000);
        assertEquals(4096, a.size());
        allocator.free(a);
        assertEquals(0, memory.frees, "freeing keeps the block on the device");
        CachingAllocator.Block b = allocator.allocate(3900); // rounds to 4096 too
        assertEquals(a.address(), b.address());
        assertEquals(1, memory.mallocs);
        AllocatorStatistics s = allocator.statistics();
        assertEquals(new AllocatorStatistics(4096, 0, 4096, 2, 1, 0), s);
    }

    @Test
    void aCachedBlockMuchLargerThanTheRequestIsNotUsed() {
        FakeMemory memory = new FakeMemory(1L << 30);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        CachingAllocator.Block small = allocator.allocate(2048);
        CachingAllocator.Block large = allocator.allocate(100L << 20);
        allocator.free(small);
        allocator.free(large);
        // small blocks serve requests of at least half their size: not 512 bytes from the 2 KiB block, 1.5 KiB yes
        assertNotEquals(small.address(), allocator.allocate(512).address());
        assertEquals(small.address(), allocator.allocate(1536).address());
        // large blocks: up to a quarter more; 90 MiB may use the 100 MiB block, 60 MiB may not
        assertNotEquals(large.address(), allocator.allocate(60L << 20).address());
        assertEquals(large.address(), allocator.allocate(90L << 20).address());
    }

    @Test
    void statisticsFollowAllocationsFreesAndThePeak() {
        FakeMemory memory = new FakeMemory(1L << 30);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        CachingAllocator.Block a = allocator.allocate(3L << 20); // 4 MiB
        CachingAllocator.Block b = allocator.allocate(1000);     // 1 KiB
        allocator.free(a);
        AllocatorStatistics s = allocator.statistics();
        assertEquals(1024, s.allocated());
        assertEquals(4L << 20, s.cached());
        assertEquals((4L << 20) + 1024, s.peakAllocated());
        assertEquals((4L << 20) + 1024, s.reserved());
        allocator.emptyCache();
        assertEquals(0, allocator.statistics().cached());
        assertEquals(1024, memory.used, "the handed-out block stays on the device");
        allocator.free(b);
        assertThrows(IllegalStateException.class, () -> allocator.free(b), "double free");
        assertThrows(IllegalStateException.class, () -> allocator.free(new CachingAllocator.Block(42, 512)));
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeMemory memory = new FakeMemory(10L << 20);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        CachingAllocator.Block a = allocator.allocate(6L << 20);
        allocator.free(a); // cached: 6 MiB of the 10 still on the device
        CachingAllocator.Block b = allocator.allocate(8L << 20); // needs the cache emptied
        assertEquals(8L << 20, b.size());
        assertEquals(1, memory.frees);
        assertEquals(new AllocatorStatistics(8L << 20, 0, 8L << 20, 2, 0, 1), allocator.statistics());
    }

    @Test
    void outOfMemoryAfterEmptyingTheCacheSaysWhatWasAskedAndWhatIsFree() {
        FakeMemory memory = new FakeMemory(10L << 20);
        CachingAllocator allocator = new CachingAllocator("cuda:1", memory);
        allocator.allocate(6L << 20);
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> allocator.allocate(5L << 20));
        String m = e.getMessage();
        assertTrue(m.startsWith("cuda:1: out of memory allocating 5.0 MiB (5,242,880 bytes"), m);
        assertTrue(m.contains("the device has 4.0 MiB free of 10.0 MiB"), m);
        assertTrue(m.contains("Nabla holds 6.0 MiB in tensors"), m);
        assertEquals(6L << 20, allocator.statistics().allocated(), "a failed request changes nothing");
    }

    @Test
    void bytesAreFormattedInBinaryUnits() {
        assertEquals("512 B", CachingAllocator.format(512));
        assertEquals("1.5 KiB", CachingAllocator.format(1536));
        assertEquals("80.0 GiB", CachingAllocator.format(80L << 30));
    }
}
