package dev.nabla.cuda.memory;

/**
 * A snapshot of a {@link CachingAllocator}: bytes handed out and not yet returned ({@code allocated}), bytes held in
 * its free lists for reuse ({@code cached}), the largest {@code allocated} so far ({@code peakAllocated}), and counts
 * of requests, of requests served from the cache, and of times the cache was emptied to retry a failed allocation.
 */
public record AllocatorStatistics(long allocated, long cached, long peakAllocated, long requests, long cacheHits,
                                  long cacheFlushes) {
    /** Bytes the allocator holds on the device: handed out plus cached. */
    public long reserved() {
        return allocated + cached;
    }
}
