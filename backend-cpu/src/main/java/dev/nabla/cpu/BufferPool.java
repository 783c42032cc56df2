package dev.nabla.cpu;

import dev.nabla.DType;

import java.util.ArrayDeque;

/**
 * Size-bucketed pool of released arrays, one set of buckets per dtype. Bucket {@code b} holds arrays
 * whose length lies in {@code [2^b, 2^(b+1))}. A request for {@code n} elements first looks in the
 * bucket of {@code ceil(log2 n)}, whose arrays are all large enough, then scans the bucket of
 * {@code floor(log2 n)} for one that fits. The pool keeps at most {@code maxBytes}; releases beyond that
 * are left to the garbage collector. Thread-safe.
 */
final class BufferPool {
    private static final int BUCKETS = 32;
    /** How many arrays of one bucket a request scans for a fit. */
    private static final int SCAN = 8;

    private final long maxBytes;
    private final ArrayDeque<Object>[][] buckets;
    private long bytes;
    private long hits;
    private long misses;

    @SuppressWarnings({"unchecked", "rawtypes"})
    BufferPool(long maxBytes) {
        this.maxBytes = Math.max(0, maxBytes);
        buckets = new ArrayDeque[DType.values().length][BUCKETS];
        for (ArrayDeque<Object>[] perType : buckets) {
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
        return CpuBuffer.newArray(dtype, n);
    }

    private synchronized Object poll(DType dtype, int n) {
        ArrayDeque<Object>[] perType = buckets[dtype.ordinal()];
        int floor = 31 - Integer.numberOfLeadingZeros(n);
        int ceil = (n & (n - 1)) == 0 ? floor : floor + 1;
        Object found = null;
        if (ceil < BUCKETS && !perType[ceil].isEmpty()) {
            found = perType[ceil].pollLast();
        } else if (ceil != floor) {
            ArrayDeque<Object> q = perType[floor];
            int scanned = 0;
            for (var it = q.descendingIterator(); it.hasNext() && scanned < SCAN; scanned++) {
                Object a = it.next();
                if (java.lang.reflect.Array.getLength(a) >= n) {
                    it.remove();
                    found = a;
                    break;
                }
            }
        }
        if (found == null) {
            misses++;
            return null;
        }
        hits++;
        bytes -= bytesOf(dtype, found);
        return found;
    }

    /** Offers an array back; drops it when the pool is full or disabled. */
    void give(DType dtype, Object array) {
        int len = java.lang.reflect.Array.getLength(array);
        if (maxBytes == 0 || len == 0) {
            return;
        }
        long size = (long) len * dtype.byteSize();
        synchronized (this) {
            if (bytes + size > maxBytes) {
                return;
            }
            int bucket = 31 - Integer.numberOfLeadingZeros(len);
            buckets[dtype.ordinal()][bucket].addLast(array);
            bytes += size;
        }
    }

    private static long bytesOf(DType dtype, Object array) {
        return (long) java.lang.reflect.Array.getLength(array) * dtype.byteSize();
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

    long maxBytes() {
        return maxBytes;
    }

    synchronized void clear() {
        for (ArrayDeque<Object>[] perType : buckets) {
            for (ArrayDeque<Object> q : perType) {
                q.clear();
            }
        }
        bytes = 0;
    }
}
