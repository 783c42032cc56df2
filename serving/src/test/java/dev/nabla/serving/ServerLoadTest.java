package dev.nabla.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.runtime.Predictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded load test over loopback: a fixed number of requests from concurrent clients within a time limit, with
 * zero failures, and in the middle of it a corrupt newer version and then a good new version arrive in the
 * repository. Every response must come from a version that was serving, be that version's answer, and once a client
 * has seen the new version it must never see the old one again. Prints p50/p99 latency and throughput.
 */
class ServerLoadTest {
    static final int CLIENTS = 8;
    static final int REQUESTS = 2000;
    static final Duration LIMIT = Duration.ofSeconds(180);

    @TempDir
    Path repository;

    /** One answered request. */
    record Result(int client, int seq, long nanos, int status, String version, float[] output, int image) {
    }

    @Test
    void concurrentClientsAcrossAHotReloadLoseNoRequest() throws Exception {
        Graph one = TestModels.cnn(1);
        Graph two = TestModels.cnn(2);
        String input = one.inputs().getFirst().name();
        TestModels.publish(repository, "cnn", 1, TestModels.modelBytes(one));
        int images = 16;
        float[] pixels = TestModels.images(images, 99);
        float[][] expected1 = expected(one, pixels, images);
        float[][] expected2 = expected(two, pixels, images);
        String[] bodies = new String[images];
        for (int i = 0; i < images; i++) {
            bodies[i] = V2Client.inferJson(input, null,
                    Arrays.copyOfRange(pixels, i * TestModels.SAMPLE_SIZE, (i + 1) * TestModels.SAMPLE_SIZE), 1);
        }

        try (InferenceServer server = InferenceServer.builder().repository(repository).host("127.0.0.1").port(0)
                .pollInterval(Duration.ofMillis(50)).build().start()) {
            V2Client client = new V2Client(server.port());
            AtomicInteger issued = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
            CountDownLatch startLine = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                int clientId = c;
                pool.submit(() -> {
                    startLine.await();
                    for (int seq = 0; issued.getAndIncrement() < REQUESTS; seq++) {
                        int image = (clientId * 7 + seq) % images;
                        long t0 = System.nanoTime();
                        V2Client.Reply reply = client.post("/v2/models/cnn/infer", bodies[image]);
                        long nanos = System.nanoTime() - t0;
                        JsonNode json = reply.status() == 200 ? reply.json() : null;
                        results.add(new Result(clientId, seq, nanos, reply.status(),
                                json == null ? reply.text() : json.path("model_version").asText(),
                                json == null ? null : V2Client.outputs(json), image));
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
            startLine.countDown();

            // At 30 %: a newer version whose file is corrupt (as a copy cut short would leave it).
            awaitDone(done, REQUESTS * 3 / 10);
            byte[] file2 = TestModels.modelBytes(two);
            TestModels.publish(repository, "cnn", 3, Arrays.copyOf(file2, file2.length / 3));
            // At 40 %: a good new version, published atomically.
            awaitDone(done, REQUESTS * 4 / 10);
            TestModels.publish(repository, "cnn", 2, file2);
            int atPublish = done.get();

            pool.shutdown();
            assertTrue(pool.awaitTermination(LIMIT.toSeconds(), TimeUnit.SECONDS), "the load finished in " + LIMIT);
            double seconds = (System.nanoTime() - start) / 1e9;

            List<Result> all = new ArrayList<>(results);
            assertEquals(REQUESTS, all.size());
            List<Result> failed = all.stream().filter(r -> r.status != 200).toList();
            assertTrue(failed.isEmpty(), failed.size() + " failed requests, e.g. " + failed.stream().limit(3)
                    .map(r -> r.status + " " + r.version).toList());
            for (Result r : all) {
                float[] want = switch (r.version) {
                    case "1" -> expected1[r.image];
                    case "2" -> expected2[r.image];
                    default -> throw new AssertionError("a response from version " + r.version);
                };
                assertClose(want, r.output, "client " + r.client + " request " + r.seq + " (version " + r.version
                        + ")");
            }
            for (int c = 0; c < CLIENTS; c++) {
                int clientId = c;
                List<String> seen = all.stream().filter(r -> r.client == clientId)
                        .sorted((a, b) -> Integer.compare(a.seq, b.seq)).map(Result::version).toList();
                int firstNew = seen.indexOf("2");
                assertFalse(firstNew >= 0 && seen.subList(firstNew, seen.size()).contains("1"),
                        "client " + c + " saw version 1 after version 2: " + seen);
            }
            long newVersion = all.stream().filter(r -> r.version.equals("2")).count();
            assertTrue(newVersion > 0, "no response came from the new version (published after " + atPublish
                    + " of " + REQUESTS + " requests)");

            JsonNode meta = client.get("/v2/models/cnn").json();
            assertEquals("[\"2\"]", meta.path("versions").toString());
            assertEquals("FAILED", meta.path("version_states").path(0).path("state").asText(), meta.toString());
            String metrics = client.get("/metrics").text();
            assertTrue(metrics.contains("nabla_model_version_loaded{model=\"cnn\",version=\"2\"} 1.0"), metrics);
            assertFalse(metrics.contains("nabla_model_version_loaded{model=\"cnn\",version=\"1\"}"),
                    "version 1 is unloaded after its last request:\n" + metrics);

            long[] latencies = all.stream().mapToLong(Result::nanos).sorted().toArray();
            double inferences = metric(metrics, "nabla_inferences_total{model=\"cnn\",version=\"1\"}")
                    + metric(metrics, "nabla_inferences_total{model=\"cnn\",version=\"2\"}");
            double executions = metric(metrics, "nabla_executions_total{model=\"cnn\",version=\"1\"}")
                    + metric(metrics, "nabla_executions_total{model=\"cnn\",version=\"2\"}");
            System.out.printf(Locale.ROOT, "load test: %d requests from %d clients in %.2f s (%.0f requests/s), "
                            + "p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d served by version 2 (published after %d); "
                            + "average batch %.2f; 0 failed%n", REQUESTS, CLIENTS, seconds, REQUESTS / seconds,
                    percentile(latencies, 50), percentile(latencies, 99), latencies[latencies.length - 1] / 1e6,
                    newVersion, atPublish, inferences / executions);
        }
    }

    static void awaitDone(AtomicInteger done, int count) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (done.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    static float[][] expected(Graph graph, float[] pixels, int images) {
        try (Predictor p = Predictor.of(graph); var scope = TensorScope.open()) {
            float[] out = p.predict(Tensor.of(pixels, images, 1, 8, 8)).toFloatArray();
            float[][] rows = new float[images][];
            for (int i = 0; i < images; i++) {
                rows[i] = Arrays.copyOfRange(out, i * TestModels.CLASSES, (i + 1) * TestModels.CLASSES);
            }
            return rows;
        }
    }

    /** Batches of other sizes may change the last bits (kernels block by batch size), never more. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5f * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }

    static double percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)] / 1e6;
    }

    static double metric(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }
}
