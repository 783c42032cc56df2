package dev.nabla.serving;

import dev.nabla.inference.graph.Graph;
import dev.nabla.serving.batching.BatchingOptions;
import dev.nabla.serving.repository.ModelLease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GracefulStopTest {
    @TempDir
    Path repository;

    @Test
    void closingFinishesTheRequestsInProgress() throws Exception {
        Graph graph = TestModels.cnn(1);
        TestModels.publish(repository, "cnn", 1, TestModels.modelBytes(graph));
        // A long queue delay keeps requests in progress while the server closes.
        InferenceServer server = InferenceServer.builder().repository(repository).host("127.0.0.1").port(0)
                .batching(new BatchingOptions(64, Duration.ofSeconds(5), 100)).pollInterval(Duration.ZERO)
                .build().start();
        V2Client client = new V2Client(server.port());
        String body = V2Client.inferJson(graph.inputs().getFirst().name(), null, TestModels.images(1, 1), 1);
        List<CompletableFuture<V2Client.Reply>> inFlight = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> client.post("/v2/models/cnn/infer", body), clients));
        }
        try (ModelLease lease = server.repository().lease("cnn", OptionalLong.empty())) {
            for (int i = 0; i < 400 && lease.model().queued() < 8; i++) {
                Thread.sleep(10); // until all 8 wait in the queue
            }
            assertEquals(8, lease.model().queued());
        }
        long start = System.nanoTime();
        server.close();
        long closeMs = (System.nanoTime() - start) / 1_000_000;
        for (CompletableFuture<V2Client.Reply> reply : inFlight) {
            V2Client.Reply r = reply.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r.text());
        }
        assertTrue(closeMs >= 500, "close waited for the batch (" + closeMs + " ms)");
        clients.shutdown();
    }
}
