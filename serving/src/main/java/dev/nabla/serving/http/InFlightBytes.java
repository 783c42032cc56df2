package dev.nabla.serving.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory budget for request bodies being handled. A body and what is decoded from it take a few times its size
 * in memory, so many concurrent large requests could exhaust the heap; each request reserves {@link #COST} times its
 * body's size first, and one that does not fit is refused with 503 instead.
 */
final class InFlightBytes {
    /** Memory per body byte: the body, the decoded floats (up to as large), the response, a margin. */
    static final int COST = 3;

    private final long budget;
    private final AtomicLong reserved = new AtomicLong();

    InFlightBytes(long budget) {
        this.budget = budget;
    }

    /** Reserves memory for a body of {@code bodyBytes}; false when it does not fit. */
    boolean tryReserve(long bodyBytes) {
        long need = bodyBytes * COST;
        while (true) {
            long now = reserved.get();
            // a lone request always fits, however large (the body limit bounds it)
            if (now > 0 && now + need > budget) {
                return false;
            }
            if (reserved.compareAndSet(now, now + need)) {
                return true;
            }
        }
    }

    void release(long bodyBytes) {
        reserved.addAndGet(-bodyBytes * COST);
    }

    long budget() {
        return budget;
    }
}
