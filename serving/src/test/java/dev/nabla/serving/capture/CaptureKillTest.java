package dev.nabla.serving.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The capture store survives {@code kill -9} of the process that writes it, with nothing committed lost: a separate
 * JVM ({@link CrashingWriter}) captures and labels requests and says on its standard output what is committed; it is
 * killed in the middle of writing, three times over on the same database; then every acknowledged request and label
 * must be in the database, and SQLite's integrity check must pass.
 */
class CaptureKillTest {
    private static final int ROUNDS = 3;
    /** Acknowledgements read before the kill: enough that the writer is in full flow. */
    private static final int ACKS_BEFORE_KILL = 100;

    @TempDir
    Path dir;

    @Test
    void nothingCommittedIsLostWhenTheWriterIsKilled() throws Exception {
        Path db = dir.resolve("capture.db");
        long[] labelledTotal = new long[1];
        for (int round = 0; round < ROUNDS; round++) {
            String prefix = "round" + round + "-";
            Acks acks = runAndKill(db, prefix);
            assertTrue(acks.flushedUpTo >= 0 && !acks.labelled.isEmpty(), "no acknowledgements: " + acks);
            assertTrue(acks.problems.isEmpty(), acks.problems.toString());
            check(db, prefix, acks);
            labelledTotal[0] += acks.labelled.size();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
            assertTrue(r.next());
            assertEquals("ok", r.getString(1));
        }
        assertTrue(labelledTotal[0] >= ROUNDS * 10L, "labelled " + labelledTotal[0]);
    }

    /** What the child acknowledged before it died. */
    private record Acks(int flushedUpTo, List<Integer> labelled, List<String> problems) {
    }

    private Acks runAndKill(Path db, String prefix) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path err = dir.resolve(prefix + "stderr.txt");
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashingWriter.class.getName(), db.toString(), prefix)
                .redirectError(err.toFile()).start();
        int flushedUpTo = -1;
        List<Integer> labelled = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            int acks = 0;
            String line;
            boolean killed = false;
            while ((line = out.readLine()) != null) {
                // Lines read after the kill were printed before it: they count as acknowledged too.
                if (line.startsWith("FLUSHED ")) {
                    flushedUpTo = Integer.parseInt(line.substring(8));
                    acks++;
                } else if (line.startsWith("LABELLED ")) {
                    labelled.add(Integer.parseInt(line.substring(9)));
                    acks++;
                } else if (!line.equals("READY")) {
                    problems.add(line);
                }
                // Right after a flush acknowledgement: the moment when an acknowledgement made too early would show.
                if (!killed && acks >= ACKS_BEFORE_KILL && line.startsWith("FLUSHED ")) {
                    // SIGKILL: no shutdown hooks, no close, no flush. Through the handle, which (unlike
                    // Process.destroyForcibly) leaves our end of the pipe open to read what was printed before.
                    child.toHandle().destroyForcibly();
                    killed = true;
                }
            }
            if (!killed) {
                fail("the writer exited before it was killed; stderr: " + Files.readString(err));
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertFalse(child.exitValue() == 0, "killed, not exited");
        return new Acks(flushedUpTo, labelled, problems);
    }

    private static void check(Path db, String prefix, Acks acks) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement samples = c.prepareStatement("SELECT COUNT(*) FROM nabla_capture "
                     + "WHERE model = 'fashion' AND request_id = ?");
             PreparedStatement labels = c.prepareStatement("SELECT label FROM nabla_capture "
                     + "WHERE model = 'fashion' AND request_id = ? ORDER BY sample_index")) {
            for (int i = 0; i <= acks.flushedUpTo; i++) {
                samples.setString(1, prefix + i);
                try (ResultSet r = samples.executeQuery()) {
                    r.next();
                    assertEquals(1 + i % 3, r.getInt(1), "samples of acknowledged request " + prefix + i);
                }
            }
            for (int i : acks.labelled) {
                labels.setString(1, prefix + i);
                List<Long> found = new ArrayList<>();
                try (ResultSet r = labels.executeQuery()) {
                    while (r.next()) {
                        found.add(r.getLong(1));
                    }
                }
                assertArrayEquals(CrashingWriter.labels(i), found.stream().mapToLong(Long::longValue).toArray(),
                        "labels of acknowledged request " + prefix + i);
            }
        }
    }
}
