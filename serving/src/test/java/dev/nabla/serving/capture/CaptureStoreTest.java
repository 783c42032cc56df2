package dev.nabla.serving.capture;

import dev.nabla.serving.capture.PayloadSink.FeedbackResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureStoreTest {
    @TempDir
    Path dir;

    private CaptureConfig config() {
        return CaptureConfig.sqlite(dir.resolve("capture.db"));
    }

    @Test
    void capturedRequestsAreReadBackPerSampleNewestFirst() {
        try (CaptureStore store = CaptureStore.open(config())) {
            InferenceRecord older = Records.of("fashion", "a", 2, 1_000);
            InferenceRecord newer = Records.of("fashion", "b", 3, 2_000);
            store.offer(older);
            store.offer(newer);
            store.offer(Records.of("other", "c", 1, 3_000));
            store.flush();

            List<CapturedSample> recent = store.reader().recent("fashion", null, 10);
            assertEquals(List.of("b", "b", "b", "a", "a"), recent.stream().map(CapturedSample::requestId).toList());
            assertEquals(List.of(0, 1, 2, 0, 1), recent.stream().map(CapturedSample::sampleIndex).toList());
            CapturedSample b1 = recent.get(1);
            assertArrayEquals(new int[]{4}, b1.inputShape());
            assertArrayEquals(java.util.Arrays.copyOfRange(newer.input(), 4, 8), b1.input());
            assertArrayEquals(java.util.Arrays.copyOfRange(newer.output(), 3, 6), b1.output());
            assertEquals(1, b1.predictedClass());
            assertEquals(2_000, b1.capturedAtMillis());
            assertEquals("1", b1.version());

            assertEquals(2, store.reader().recent("fashion", null, 2).size());
            assertEquals(0, store.reader().recent("fashion", "2", 10).size());
            assertEquals(List.of("fashion", "other"), store.reader().models());
            assertEquals(new CaptureCounts(2, 5, 0), store.reader().counts("fashion"));
            CaptureStats stats = store.stats();
            assertEquals(3, stats.offered());
            assertEquals(3, stats.capturedRequests());
            assertEquals(6, stats.capturedSamples());
            assertEquals(0, stats.droppedTotal());
        }
    }

    @Test
    void feedbackAttachesLabelsThatRetrainingReads() {
        try (CaptureStore store = CaptureStore.open(config())) {
            store.offer(Records.of("fashion", "a", 2, 1_000));
            store.offer(Records.of("fashion", "b", 1, 2_000));
            store.offer(Records.of("fashion", "c", 1, 3_000));
            store.flush();

            assertEquals(FeedbackResult.ATTACHED, store.attachLabels("fashion", "a", new long[]{7, 8}));
            assertEquals(FeedbackResult.ATTACHED, store.attachLabels("fashion", "c", new long[]{9}));
            assertEquals(FeedbackResult.WRONG_COUNT, store.attachLabels("fashion", "b", new long[]{1, 2}));
            assertEquals(FeedbackResult.NOT_CAPTURED, store.attachLabels("other", "a", new long[]{1, 2}));
            // later feedback replaces earlier labels
            assertEquals(FeedbackResult.ATTACHED, store.attachLabels("fashion", "c", new long[]{4}));

            List<LabelledSample> labelled = store.reader().labelled("fashion", 10);
            assertEquals(List.of("c", "a", "a"), labelled.stream().map(LabelledSample::requestId).toList());
            assertEquals(List.of(4L, 7L, 8L), labelled.stream().map(LabelledSample::label).toList());
            assertTrue(labelled.get(0).labelledAtMillis() > 0);
            assertArrayEquals(new int[]{4}, labelled.get(1).inputShape());
            // a time window [from, to) of capture times
            assertEquals(List.of("a", "a"), store.reader().labelled("fashion", 0, 3_000, 10).stream()
                    .map(LabelledSample::requestId).toList());
            assertEquals(1, store.reader().labelled("fashion", 1).size());
            assertEquals(new CaptureCounts(3, 4, 3), store.reader().counts("fashion"));

            CaptureStats stats = store.stats();
            assertEquals(3, stats.feedback().get(FeedbackResult.ATTACHED));
            assertEquals(1, stats.feedback().get(FeedbackResult.WRONG_COUNT));
            assertEquals(1, stats.feedback().get(FeedbackResult.NOT_CAPTURED));
            assertEquals(4, stats.labelsAttached());
        }
    }

    @Test
    void feedbackRightAfterTheAnswerFindsItsRequest() throws Exception {
        // A writer that batches many records: feedback arrives while the request is still queued.
        try (CaptureStore store = CaptureStore.open(config().withBatchSize(512))) {
            for (int i = 0; i < 300; i++) {
                store.offer(Records.of("fashion", "r" + i, 1));
                assertEquals(FeedbackResult.ATTACHED, store.attachLabels("fashion", "r" + i, new long[]{i % 10}),
                        "request r" + i);
            }
            assertEquals(300, store.reader().counts("fashion").labelledSamples());
        }
    }

    @Test
    void feedbackThatOvertakesTheOfferWaitsForIt() throws Exception {
        // The server answered but has not handed the record over yet; the record may then be queued and written
        // at any moment while feedback looks for it.
        try (CaptureStore store = CaptureStore.open(config().withFeedbackWaits(Duration.ofSeconds(5),
                Duration.ofSeconds(10))); var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.Random random = new java.util.Random(1);
            for (int i = 0; i < 100; i++) {
                String id = "early" + i;
                var feedback = threads.submit(() -> store.attachLabels("fashion", id, new long[]{3}));
                Thread.sleep(random.nextInt(3));
                store.offer(Records.of("fashion", id, 1));
                assertEquals(FeedbackResult.ATTACHED, feedback.get(10, TimeUnit.SECONDS), id);
            }
            assertEquals(100, store.reader().counts("fashion").labelledSamples());
        }
    }

    @Test
    void manyServerThreadsOfferAndSendFeedbackAtOnce() throws Exception {
        int threads = 4;
        int perThread = 250;
        try (CaptureStore store = CaptureStore.open(config())) {
            List<CompletableFuture<Integer>> workers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(CompletableFuture.supplyAsync(() -> {
                    int attached = 0;
                    for (int i = 0; i < perThread; i++) {
                        String id = "t" + thread + "-" + i;
                        store.offer(Records.of("fashion", id, 1 + i % 2));
                        if (store.attachLabels("fashion", id, i % 2 == 0 ? new long[]{1} : new long[]{1, 2})
                                == FeedbackResult.ATTACHED) {
                            attached++;
                        }
                    }
                    return attached;
                }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
            }
            for (CompletableFuture<Integer> w : workers) {
                assertEquals(perThread, w.get(60, TimeUnit.SECONDS));
            }
            store.flush();
            assertEquals(new CaptureCounts(threads * perThread, threads * perThread * 3 / 2,
                    threads * perThread * 3 / 2), store.reader().counts("fashion"));
            assertEquals(0, store.stats().droppedTotal());
        }
    }

    @Test
    void feedbackForAnUnknownRequestWaitsOnlyTheGracePeriod() {
        try (CaptureStore store = CaptureStore.open(config().withFeedbackWaits(Duration.ofMillis(200),
                Duration.ofSeconds(10)))) {
            long start = System.nanoTime();
            assertEquals(FeedbackResult.NOT_CAPTURED, store.attachLabels("fashion", "never-served", new long[]{1}));
            long ms = (System.nanoTime() - start) / 1_000_000;
            // the grace period (200 ms), not the timeout (10 s): the upper bound only tells the two apart
            assertTrue(ms >= 190 && ms < 9_000, "waited " + ms + " ms");
        }
    }

    @Test
    void samplingKeepsTheSameIdsEveryTimeAndAboutTheRate() {
        CaptureConfig sampled = config().withSampleRate(0.3).withSamplingSeed(42);
        int kept = 0;
        RequestSampler sampler = new RequestSampler(0.3, 42);
        for (int i = 0; i < 20_000; i++) {
            if (sampler.keeps("request-" + i)) {
                kept++;
            }
        }
        assertEquals(0.3, kept / 20_000.0, 0.015);
        try (CaptureStore store = CaptureStore.open(sampled)) {
            for (int i = 0; i < 200; i++) {
                store.offer(Records.of("fashion", "request-" + i, 1));
            }
            store.flush();
            CaptureStats stats = store.stats();
            assertEquals(200, stats.offered());
            assertEquals(200, stats.sampledOut() + stats.capturedRequests());
            for (int i = 0; i < 200; i++) {
                boolean in = sampler.keeps("request-" + i);
                // A sampled-out id is known to be so at once: no wait, no database look-up.
                assertEquals(in ? FeedbackResult.ATTACHED : FeedbackResult.NOT_CAPTURED,
                        store.attachLabels("fashion", "request-" + i, new long[]{1}), "request-" + i);
            }
        }
        // another seed picks other requests
        int same = 0;
        RequestSampler other = new RequestSampler(0.3, 43);
        for (int i = 0; i < 1_000; i++) {
            same += sampler.keeps("request-" + i) == other.keeps("request-" + i) ? 1 : 0;
        }
        assertTrue(same < 700, same + " of 1,000 decisions agree");
    }

    @Test
    void whatCannotBeKeptIsDroppedAndCounted() {
        CaptureConfig small = config().withLimits(4, 100).withQueue(1_000, 1_000);
        try (CaptureStore store = CaptureStore.open(small)) {
            store.offer(Records.of("fashion", "many-samples", 5)); // more than 4 samples
            store.offer(new InferenceRecord("big-sample", "fashion", "1", 0, new int[]{1, 101}, new float[101],
                    new int[]{1, 3}, new float[3]));
            store.offer(new InferenceRecord("wrong-length", "fashion", "1", 0, new int[]{2, 4}, new float[7],
                    new int[]{2, 3}, new float[6]));
            store.offer(new InferenceRecord("x".repeat(300), "fashion", "1", 0, new int[]{1, 4}, new float[4],
                    new int[]{1, 3}, new float[3]));
            // 4 * (100 + 100) + ... bytes: over the 1,000-byte queue on its own
            store.offer(new InferenceRecord("over-bytes", "fashion", "1", 0, new int[]{2, 100}, new float[200],
                    new int[]{2, 100}, new float[200]));
            store.offer(Records.of("fashion", "twice", 1));
            store.offer(Records.of("fashion", "twice", 2));
            store.flush();
            store.offer(Records.of("fashion", "twice", 1));
            store.flush();

            CaptureStats stats = store.stats();
            assertEquals(2, stats.dropped(DropReason.TOO_LARGE));
            assertEquals(2, stats.dropped(DropReason.MALFORMED));
            assertEquals(1, stats.dropped(DropReason.QUEUE_FULL));
            assertEquals(2, stats.dropped(DropReason.DUPLICATE));
            assertEquals(1, stats.capturedRequests());
            // the first capture of an id is kept
            assertEquals(1, store.reader().recent("fashion", null, 10).size());
        }
    }

    @Test
    void aFullQueueDropsInsteadOfBlocking() {
        try (CaptureStore store = CaptureStore.open(config().withQueue(4, 64L << 20).withBatchSize(4))) {
            for (int i = 0; i < 5_000; i++) {
                store.offer(Records.of("fashion", "q" + i, 8));
            }
            store.flush();
            CaptureStats stats = store.stats();
            assertTrue(stats.dropped(DropReason.QUEUE_FULL) > 0, stats.toString());
            assertEquals(5_000, stats.capturedRequests() + stats.dropped(DropReason.QUEUE_FULL), stats.toString());
            assertEquals(stats.capturedRequests(), store.reader().counts("fashion").requests());
            assertEquals(0, stats.queuedRecords());
        }
    }

    @Test
    void closingWritesWhatIsQueuedAndTheDataOutlivesTheStore() throws Exception {
        CaptureConfig config = config();
        try (CaptureStore store = CaptureStore.open(config)) {
            for (int i = 0; i < 100; i++) {
                store.offer(Records.of("fashion", "c" + i, 2));
            }
        }
        try (CaptureReader reader = CaptureReader.open(config.jdbcUrl())) {
            assertEquals(new CaptureCounts(100, 200, 0), reader.counts("fashion"));
        }
        try (CaptureStore store = CaptureStore.open(config)) {
            store.offer(Records.of("fashion", "after-reopen", 1));
            store.close();
            store.offer(Records.of("fashion", "after-close", 1));
            assertEquals(1, store.stats().dropped(DropReason.CLOSED));
        }
        try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
                r.next();
                assertEquals("wal", r.getString(1));
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM nabla_capture")) {
                r.next();
                assertEquals(201, r.getInt(1));
            }
        }
    }

    @Test
    void sqliteConnectionsUseWalWithTheConfiguredSynchronousMode() throws Exception {
        for (var mode : CaptureConfig.SqliteSynchronous.values()) {
            try (Connection c = CaptureDatabase.connect(config().withSynchronous(mode), false);
                 Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
                    r.next();
                    assertEquals("wal", r.getString(1));
                }
                try (ResultSet r = s.executeQuery("PRAGMA synchronous")) {
                    r.next();
                    assertEquals(mode == CaptureConfig.SqliteSynchronous.NORMAL ? 1 : 2, r.getInt(1), mode.name());
                }
            }
        }
    }

    @Test
    void aDatabaseThatIsNotACaptureStoreOrIsNewerIsRefused() throws Exception {
        Path missing = dir.resolve("missing.db");
        CaptureStoreException noFile = assertThrows(CaptureStoreException.class,
                () -> CaptureReader.open(missing.toString()));
        assertTrue(noFile.getMessage().contains("no such capture store"), noFile.getMessage());

        Path foreign = dir.resolve("foreign.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE something (x INTEGER)");
        }
        CaptureStoreException notOurs = assertThrows(CaptureStoreException.class,
                () -> CaptureReader.open(foreign.toString()));
        assertTrue(notOurs.getMessage().contains("not a capture store"), notOurs.getMessage());

        CaptureConfig config = config();
        CaptureStore.open(config).close();
        try (Connection c = DriverManager.getConnection(config.jdbcUrl()); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE nabla_capture_meta SET meta_value = '2' WHERE meta_key = 'schema_version'");
        }
        CaptureStoreException newer = assertThrows(CaptureStoreException.class, () -> CaptureStore.open(config));
        assertTrue(newer.getMessage().contains("schema version 2; this version of Nabla reads version 1"),
                newer.getMessage());
        assertThrows(CaptureStoreException.class, () -> CaptureStore.open(CaptureConfig.jdbc("jdbc:sqlite::memory:")));
        assertThrows(IllegalArgumentException.class, () -> CaptureConfig.jdbc("postgres://x"));
        assertThrows(IllegalArgumentException.class, () -> config.withSampleRate(1.5));
    }
}
