package dev.nabla.cuda.runtime;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host side of device-found errors, with the device record faked as four longs. */
class DeviceErrorsTest {
    static final class FakeRecord implements DeviceErrors.Record {
        final long[] values = new long[5];
        final List<String> log = new ArrayList<>();

        /** What a checked kernel does on an error: the first ticket wins. */
        void fail(long ticket, long a, long b, long c) {
            if (values[0] == 0) {
                values[0] = ticket;
                values[1] = 99; // the element's position: not part of the message
                values[2] = a;
                values[3] = b;
                values[4] = c;
            }
        }

        @Override
        public long[] read() {
            log.add("read");
            return values.clone();
        }

        @Override
        public void reset() {
            log.add("reset");
            java.util.Arrays.fill(values, 0);
        }
    }

    private static final DeviceErrors.Describe GATHER = (index, dim, size) ->
            new IndexOutOfBoundsException("gather: index " + index + " is out of bounds for dim " + dim + " of size "
                    + size);

    @Test
    void aFailureGoesToTheThreadThatQueuedTheLaunchWithItsDescription() throws InterruptedException {
        DeviceErrors errors = new DeviceErrors();
        FakeRecord record = new FakeRecord();
        Thread other = new Thread(() -> { });
        long mine = errors.newTicket();
        long theirs = errors.newTicket();
        assertTrue(mine != 0 && theirs != mine);
        errors.issued(mine, Thread.currentThread(), GATHER);
        errors.issued(theirs, other, GATHER);
        record.fail(theirs, 7, 1, 3);
        record.fail(mine, 9, 0, 2); // later: not recorded
        DeviceErrors.Failure f = errors.check(record);
        assertSame(other, f.owner());
        assertEquals("gather: index 7 is out of bounds for dim 1 of size 3", f.error().getMessage());
        assertEquals(List.of("read", "reset"), record.log);
        assertFalse(errors.pending());
    }

    @Test
    void nothingIsReadWithoutCheckedLaunchesAndACleanRecordIsNoFailure() {
        DeviceErrors errors = new DeviceErrors();
        FakeRecord record = new FakeRecord();
        assertNull(errors.check(record));
        assertTrue(record.log.isEmpty(), "no copy when no checked launch ran");
        errors.issued(errors.newTicket(), Thread.currentThread(), GATHER);
        assertTrue(errors.pending());
        assertNull(errors.check(record));
        assertEquals(List.of("read"), record.log);
        assertNull(errors.check(record));
        assertEquals(List.of("read"), record.log);
    }

    @Test
    void anUnknownTicketIsStillReported() {
        DeviceErrors errors = new DeviceErrors();
        FakeRecord record = new FakeRecord();
        errors.issued(errors.newTicket(), Thread.currentThread(), GATHER);
        record.fail(999, 1, 2, 3);
        DeviceErrors.Failure f = errors.check(record);
        assertNull(f.owner());
        assertTrue(f.error().getMessage().contains("unknown ticket 999"), f.error().getMessage());
    }

    @Test
    void theExecutorDeliversAReportedFailureToItsOwnerOnly() {
        try (DeviceExecutor executor = new DeviceExecutor("fake:9", new DeviceExecutorTest.FakeContext(null))) {
            Thread owner = Thread.currentThread();
            executor.call(() -> {
                executor.report(owner, new IndexOutOfBoundsException("indexSelect: index 5"));
                return null;
            });
            // call() surfaces after its task: the owner hears of the failure right there
        } catch (IndexOutOfBoundsException e) {
            assertEquals("indexSelect: index 5", e.getMessage());
            return;
        }
        throw new AssertionError("the owner's synchronizing call must throw the device's failure");
    }
}
