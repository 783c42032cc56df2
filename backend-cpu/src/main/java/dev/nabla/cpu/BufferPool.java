package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.spi.JavaArrays;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Size-bucketed pool of released arrays, one set of buckets per dtype. Bucket {@code b} holds arrays
 * whose length lies in {@code [2^b, 2^(b+1))}. A request for {@code n} elements first looks in the
 * bucket of {@code ceil(log2 n)}, whose arrays are all large enough, then scans the bucket of
 * {@code floor(log2 n)} for one that fits. Thread-safe.
 *
 * <p>The pool keeps at most {@code maxBytes}. When a released array does not fit, the arrays released longest
 * ago are dropped (to the garbage collector) until it does: a training step releases the same sizes it will ask
 * for next, so the most recent releases are the ones worth keeping, and one-off arrays (a dataset's conversion
 * copies) age out instead of filling the pool for good. An array larger than an eighth of the pool is never kept.
 */
final class BufferPool {
    private static final int BUCKETS = 32;
    /** How many arrays of one bucket a request scans for a fit. */
    private static final int SCAN = 8;
    /** The largest array kept, as a fraction of the pool: a few of them must not push out a step's working set. */
    private static final int LARGEST_SHARE = 8;

    /** A pooled array; {@code taken} once a request has removed it from its bucket (its age entry is then stale). */
    private static final class Entry {
        final Object array;
        final DType dtype;
        final int bucket;
        final long bytes;
        boolean taken;

        Entry(Object array, DType dtype, int bucket, long bytes) {
            this.array = array;
            this.dtype = dtype;
            this.bucket = bucket;
            this.bytes = bytes;
        }
    }

    private final long maxBytes;
    private final ArrayDeque<Entry>[][] buckets;
    /** Every entry in release order, oldest first; taken entries are skipped and pruned lazily. */
    private final ArrayDeque<Entry> byAge = new ArrayDeque<>();
    private int pooled;
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;

    @SuppressWarnings({"unchecked", "rawtypes"})
    BufferPool(long maxBytes) {
        this.maxBytes = Math.max(0, maxBytes);
        buckets = new ArrayDeque[DType.values().length][BUCKETS];
        for (ArrayDeque<Entry>[] perType : buckets) {
            for (int b = 0; b < BUCKETS; b++) {
                perType[b] = new ArrayDeque<>();
            }
        }
    }

    static long defaultMaxBytes() {
        String prop = System.getProperty("nabla.cpu.pool.bytes");
        if (prop == null || prop.isBlank()) {
            return 256L << 20;
        }
        try {
            return Long.parseLong(prop.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("nabla.cpu.pool.bytes must be a number of bytes, found '" + prop + "'", e);
        }
    }

    /** An array of at least {@code n} elements: pooled when one fits, else new with exactly {@code n}. */
    Object take(DType dtype, int n) {
        if (maxBytes > 0 && n > 0) {
            Object hit = poll(dtype, n);
            if (hit != null) {
                return hit;
            }
        }
        return JavaArrays.newArray(dtype, n);
    }

    private synchronized Object poll(DType dtype, int n) {
        ArrayDeque<Entry>[] perType = buckets[dtype.ordinal()];
        int floor = 31 - Integer.numberOfLeadingZeros(n);
        int ceil = (n & (n - 1)) == 0 ? floor : floor + 1;
        Entry found = null;
        if (ceil < BUCKETS && !perType[ceil].isEmpty()) {
            found = perType[ceil].pollLast();
        } else if (ceil != floor) {
            ArrayDeque<Entry> q = perType[floor];
            int scanned = 0;
            for (Iterator<Entry> it = q.descendingIterator(); it.hasNext() && scanned < SCAN; scanned++) {
                Entry e = it.next();
                if (java.lang.reflect.Array.getLength(e.array) >= n) {
                    it.remove();
                    found = e;
                    break;
                }
            }
        }
        if (found == null) {
            misses++;
            return null;
        }
        hits++;
        found.taken = true;
        pooled--;
        bytes -= found.bytes;
        pruneStaleEntries();
        return found.array;
    }

    /** Offers an array back; drops it when the pool is disabled or the array is too large to keep. */
    void give(DType dtype, Object array) {
        int len = java.lang.reflect.Array.getLength(array);
        long size = (long) len * dtype.byteSize();
        if (maxBytes == 0 || len == 0 || size > maxBytes / LARGEST_SHARE) {
            return;
        }
        int bucket = 31 - Integer.numberOfLeadingZeros(len);
        Entry entry = new Entry(array, dtype, bucket, size);
        synchronized (this) {
            while (bytes + size > maxBytes) {
                evictOldest();
            }
            buckets[dtype.ordinal()][bucket].addLast(entry);
            byAge.addLast(entry);
            pooled++;
            bytes += size;
        }
    }

    /** Drops the array released longest ago. Only called while the pool holds at least one. */
    private void evictOldest() {
        Entry oldest = byAge.pollFirst();
        while (oldest.taken) {
            oldest = byAge.pollFirst();
        }
        // the oldest entry of its bucket too, so normally its first
        ArrayDeque<Entry> bucket = buckets[oldest.dtype.ordinal()][oldest.bucket];
        if (bucket.peekFirst() == oldest) {
            bucket.pollFirst();
        } else {
            bucket.removeFirstOccurrence(oldest);
        }
        pooled--;
        bytes -= oldest.bytes;
        evictions++;
    }

    /** Keeps the age queue within a constant factor of the pooled entries by dropping taken ones. */
    private void pruneStaleEntries() {
        if (byAge.size() > 2 * pooled + 64) {
            byAge.removeIf(e -> e.taken);
        }
    }

    synchronized long pooledBytes() {
        return bytes;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized long evictions() {
        return evictions;
    }

    long maxBytes() {
        return maxBytes;
    }

    synchronized void clear() {
        for (ArrayDeque<Entry>[] perType : buckets) {
            for (ArrayDeque<Entry> q : perType) {
                q.clear();
            }
        }
        byAge.clear();
        pooled = 0;
        bytes = 0;
    }
}
