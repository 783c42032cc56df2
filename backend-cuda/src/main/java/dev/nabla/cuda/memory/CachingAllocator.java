package dev.nabla.cuda.memory;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A caching allocator for one device's memory, as PyTorch's CUDA allocator: device allocation and release are slow
 * and synchronizing, so a freed block is kept in a free list and handed out again to a later request of about its
 * size, and device memory is only returned when an allocation fails (the cache is emptied and the allocation tried
 * once more) or on {@link #emptyCache()}.
 *
 * <p>Sizes are rounded up: to a multiple of 512 bytes up to 1 MiB, else to a multiple of 2 MiB, so that requests of
 * nearby sizes share blocks. A cached block serves a request when it is at least as large and not much larger: at
 * most twice the rounded size for small blocks, at most a quarter more for large ones (blocks are not split, so a
 * larger block would waste the rest). Freeing is stream-ordered by the caller: the backend frees a block only once the
 * work queued on it is done (or on the same stream, which orders it). Thread-safe; the statistics can be read from
 * any thread.
 */
public final class CachingAllocator {
    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_ROUND = 512;
    static final long LARGE_ROUND = 2L << 20;

    /** A block of device memory: its address and its (rounded) size in bytes. */
    public record Block(long address, long size) {
    }

    private final String device;
    private final DeviceMemory memory;
    private final TreeMap<Long, ArrayDeque<Block>> free = new TreeMap<>();
    private final Set<Long> live = new HashSet<>();
    private long allocated;
    private long cached;
    private long peakAllocated;
    private long requests;
    private long cacheHits;
    private long cacheFlushes;

    /** An allocator over {@code memory}; {@code device} (e.g. {@code "cuda:0"}) names it in errors. */
    public CachingAllocator(String device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
    }

    /** {@code bytes} rounded up to the allocator's size classes (at least 512). */
    public static long roundedSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("a block size must be >= 0, found " + bytes);
        }
        long step = bytes <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return Math.max(SMALL_ROUND, Math.ceilDiv(bytes, step) * step);
    }

    /**
     * A block of at least {@code bytes} bytes: from the cache when one fits, else new; when the device is out of
     * memory, the cache is emptied and the allocation tried again.
     *
     * @throws DeviceOutOfMemoryException when the device has not enough memory even then, with the requested, free
     *                                    and total bytes and what this allocator holds
     */
    public synchronized Block allocate(long bytes) {
        requests++;
        long size = roundedSize(bytes);
        Block block = takeCached(size);
        if (block != null) {
            cacheHits++;
        } else {
            Long address = memory.allocate(size);
            if (address == null && cached > 0) {
                cacheFlushes++;
                emptyCache();
                address = memory.allocate(size);
            }
            if (address == null) {
                throw outOfMemory(bytes, size);
            }
            block = new Block(address, size);
        }
        live.add(block.address());
        allocated += block.size();
        peakAllocated = Math.max(peakAllocated, allocated);
        return block;
    }

    /** Returns {@code block} to the cache for reuse. A block not handed out by this allocator (or freed twice) fails. */
    public synchronized void free(Block block) {
        if (!live.remove(block.address())) {
            throw new IllegalStateException(device + ": block at 0x" + Long.toHexString(block.address())
                    + " was not allocated here or was freed already");
        }
        allocated -= block.size();
        free.computeIfAbsent(block.size(), s -> new ArrayDeque<>()).addLast(block);
        cached += block.size();
    }

    /** Returns every cached block to the device. Blocks still handed out are not touched. */
    public synchronized void emptyCache() {
        for (ArrayDeque<Block> blocks : free.values()) {
            for (Block b : blocks) {
                memory.free(b.address());
            }
        }
        free.clear();
        cached = 0;
    }

    public synchronized AllocatorStatistics statistics() {
        return new AllocatorStatistics(allocated, cached, peakAllocated, requests, cacheHits, cacheFlushes);
    }

    /** The smallest cached block of at least {@code size} bytes and not much larger (see the class comment). */
    private Block takeCached(long size) {
        long largest = size <= SMALL_LIMIT ? 2 * size : size + size / 4;
        Map.Entry<Long, ArrayDeque<Block>> entry = free.ceilingEntry(size);
        if (entry == null || entry.getKey() > largest) {
            return null;
        }
        Block block = entry.getValue().pollLast(); // the most recently freed: likeliest still in the L2 cache
        if (entry.getValue().isEmpty()) {
            free.remove(entry.getKey());
        }
        cached -= block.size();
        return block;
    }

    private DeviceOutOfMemoryException outOfMemory(long bytes, long size) {
        return new DeviceOutOfMemoryException(String.format(Locale.ROOT,
                "%s: out of memory allocating %s (%,d bytes, %,d rounded): the device has %s free of %s; Nabla holds %s "
                        + "in tensors (peak %s) and nothing cached after emptying its cache. Free tensors you no longer "
                        + "need (close them, or run the step in a TensorScope) or use a smaller batch.",
                device, format(bytes), bytes, size, format(memory.freeBytes()), format(memory.totalBytes()),
                format(allocated), format(peakAllocated)));
    }

    /** Bytes in binary units with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 12.0 MiB}, {@code 80.0 GiB}. */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
