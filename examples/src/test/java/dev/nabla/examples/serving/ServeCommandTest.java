package dev.nabla.examples.serving;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.examples.CliRun;
import dev.nabla.examples.NablaCli;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {
    @TempDir
    Path repository;

    @Test
    void servesTheRepositoryOnAFreePortUntilInterrupted() throws Exception {
        Nabla.manualSeed(3);
        var graph = GraphCapture.trace(new Sequential(new Flatten(), new Linear(4, 3)), Tensor.randn(2, 1, 2, 2));
        Files.createDirectories(repository.resolve("tiny").resolve("1"));
        ModelFile.write(repository.resolve("tiny").resolve("1").resolve("model.nabla"), graph, Map.of());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread cli = Thread.ofPlatform().start(() -> exit.set(NablaCli.execute(new PrintWriter(out, true),
                new PrintWriter(err, true), "serve", "--repository", repository.toString(), "--host", "127.0.0.1",
                "--port", "0", "--threads", "1", "--max-batch-size", "8", "--max-queue-delay-ms", "0.5")));
        for (int i = 0; i < 600 && !out.toString().contains("tiny: version 1, input"); i++) {
            Thread.sleep(50); // the announcement's last line: the model and its version
        }
        Matcher m = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)").matcher(out.toString());
        assertTrue(m.find() && out.toString().contains("tiny: version 1, input"), "not announced: " + out + err);
        int port = Integer.parseInt(m.group(1));

        HttpClient http = HttpClient.newHttpClient();
        String input = graph.inputs().getFirst().name();
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/models/tiny/infer"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":[1,1,2,2],"
                        + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reply.statusCode(), reply.body());
        assertTrue(reply.body().contains("\"model_version\":\"1\""), reply.body());
        String id = (String) ((Map<?, ?>) dev.nabla.io.Json.parse(reply.body())).get("id");

        // captured by default: the true label comes back as feedback, and the counts show at /metrics
        HttpResponse<String> feedback = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v2/models/tiny/feedback"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"labels\":[2]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, feedback.statusCode(), feedback.body());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("nabla_capture_records_total") && metrics.body().contains(
                "nabla_inference_requests_total"), metrics.body());

        cli.interrupt();
        cli.join(30_000);
        assertEquals(0, exit.get(), err.toString());
        assertTrue(out.toString().contains("nabla serve: stopped"), out.toString());
        try (var reader = dev.nabla.serving.capture.CaptureReader.open(repository.resolve("capture.db").toString())) {
            var labelled = reader.labelled("tiny", 10);
            assertEquals(1, labelled.size(), "the request and its label outlive the server");
            assertEquals(2, labelled.getFirst().label());
        }
    }

    @Test
    void badOptionsAreOneLine() {
        CliRun run = CliRun.nabla("serve", "--repository", repository.toString(), "--max-batch-size", "0",
                "--queue-capacity", "0");
        assertEquals(2, run.exitCode());
        assertEquals("nabla serve: --max-batch-size must be 1 to 4096, found 0; --queue-capacity must be 1 to "
                + "1000000, found 0", run.err().strip());

        CliRun missing = CliRun.nabla("serve", "--repository", repository.resolve("nope").toString());
        assertEquals(1, missing.exitCode());
        assertEquals("nabla serve: --repository " + repository.resolve("nope") + ": no such directory",
                missing.err().strip());

        CliRun capture = CliRun.nabla("serve", "--repository", repository.toString(), "--capture-rate", "2",
                "--no-capture", "--capture", "x.db");
        assertEquals("nabla serve: --capture-rate must be 0 to 1, found 2.0; --capture and --no-capture exclude each "
                + "other", capture.err().strip());

        CliRun delay = CliRun.nabla("serve", "--repository", repository.toString(), "--max-queue-delay-ms", "-1");
        assertTrue(delay.err().startsWith("nabla serve: --max-queue-delay-ms must be 0 to 60000, found -1.0"),
                delay.err());
    }
}
