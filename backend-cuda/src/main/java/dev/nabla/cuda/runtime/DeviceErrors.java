package dev.nabla.cuda.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Errors that kernels find on the device (an index out of range in gather, indexSelect or scatterAdd), reported on
 * the host at the next synchronizing call to the thread that queued the failing launch.
 *
 * <p><b>The device side</b> (the ABI of the index kernels, {@code src/main/cuda/index.cu}): one status record of
 * five {@code long long}s in device memory, zero while nothing failed. A kernel that finds an error does
 * <pre>
 * if (atomicCAS((unsigned long long *) &amp;status[0], 0ULL, (unsigned long long) ticket) == 0ULL) {
 *     status[1] = position; status[2] = value; status[3] = dim; status[4] = size;
 * }
 * </pre>
 * and skips the faulty element (it never reads or writes out of bounds); {@code status} (a {@code long long *}) and
 * {@code ticket} (a positive {@code int}, the kernels' {@code errOp} argument) are kernel arguments.
 *
 * <p><b>The host side</b>: a launch takes a fresh {@link #newTicket() ticket} (any thread); the task that issues it
 * {@linkplain #issued registers} the ticket with its owner thread and how to describe a failure, on the device
 * thread. A synchronizing call ({@code toArray}, {@code synchronize}) {@linkplain #check checks} after the stream is
 * idle: if launches were issued since the last check, it reads the record (a 40-byte copy) and, if a ticket is
 * there, resets the record and answers the failure for its owner; then it forgets every issued ticket. Only the first
 * failure between two checks is recorded on the device (the CAS); later ones of that window are not reported, but
 * their results are not used either: the failing thread is told once. Device thread only, except
 * {@link #newTicket()}.
 */
public final class DeviceErrors {
    /** The device record: read and reset on the device thread, the stream being idle. */
    public interface Record {
        /** The five values of the record. */
        long[] read();

        /** Sets the record back to zeros (queued on the stream). */
        void reset();
    }

    /** Turns a failure's bad value, dim and dim size into the exception to throw. */
    @FunctionalInterface
    public interface Describe {
        RuntimeException describe(long value, long dim, long size);
    }

    /** A failure found on the device, for {@code owner}. */
    public record Failure(Thread owner, RuntimeException error) {
    }

    private record Issued(Thread owner, Describe describe) {
    }

    private final AtomicLong tickets = new AtomicLong();
    private final Map<Long, Issued> issued = new HashMap<>();

    /** A new ticket, in 1..Integer.MAX_VALUE (the kernels take it as an {@code int}); any thread. */
    public long newTicket() {
        return 1 + (tickets.getAndIncrement() & Integer.MAX_VALUE) % Integer.MAX_VALUE;
    }

    /** Device thread, just before the checked launch is issued. */
    public void issued(long ticket, Thread owner, Describe describe) {
        issued.put(ticket, new Issued(owner, describe));
    }

    /** Whether checked launches were issued since the last check (device thread). */
    public boolean pending() {
        return !issued.isEmpty();
    }

    /**
     * Device thread, with the stream idle: the failure recorded since the last check, or null. Reads the record only
     * when checked launches were issued since then.
     */
    public Failure check(Record record) {
        if (issued.isEmpty()) {
            return null;
        }
        long[] r = record.read();
        Failure failure = null;
        if (r[0] != 0) {
            record.reset();
            Issued i = issued.get(r[0]);
            if (i == null) { // cannot happen unless a kernel writes a ticket it was not given
                failure = new Failure(null, new IllegalStateException("a CUDA kernel reported an error under unknown"
                        + " ticket " + r[0] + " (values " + r[2] + ", " + r[3] + ", " + r[4] + ")"));
            } else {
                failure = new Failure(i.owner(), i.describe().describe(r[2], r[3], r[4]));
            }
        }
        issued.clear();
        return failure;
    }
}
