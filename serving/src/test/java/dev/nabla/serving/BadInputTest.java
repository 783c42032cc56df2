package dev.nabla.serving;

import dev.nabla.inference.graph.Graph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything a client can get wrong, each answered with its status and a message naming what was expected and what
 * was found, and a server that keeps serving afterwards. The repository holds a good model with a corrupt newer
 * version, and a model with only a corrupt version.
 */
class BadInputTest {
    static final int MAX_BODY = 64 * 1024;

    @TempDir
    static Path repository;

    static String input;
    static InferenceServer server;
    static V2Client client;
    static String good;

    @BeforeAll
    static void start() {
        Graph graph = TestModels.cnn(1);
        input = graph.inputs().getFirst().name();
        byte[] file = TestModels.modelBytes(graph);
        TestModels.publish(repository, "cnn", 1, file);
        TestModels.publish(repository, "cnn", 2, Arrays.copyOf(file, file.length / 2)); // truncated: corrupt
        byte[] flipped = file.clone();
        flipped[flipped.length - 10] ^= 0x55; // a weight's bits: the data checksum fails
        TestModels.publish(repository, "broken", 1, flipped);
        server = InferenceServer.builder().repository(repository).host("127.0.0.1").port(0)
                .maxBodyBytes(MAX_BODY).pollInterval(Duration.ZERO).build().start();
        client = new V2Client(server.port());
        good = V2Client.inferJson(input, null, TestModels.images(1, 5), 1);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void assertRefused(int status, String messagePart, V2Client.Reply reply) {
        assertEquals(status, reply.status(), reply.text());
        assertTrue(reply.error().contains(messagePart), "expected '" + messagePart + "' in: " + reply.error());
    }

    static V2Client.Reply infer(String json) {
        return client.post("/v2/models/cnn/infer", json);
    }

    static String request(String shape, String datatype, String data) {
        return "{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":" + shape + ",\"datatype\":\"" + datatype
                + "\",\"data\":" + data + "}]}";
    }

    static String zeros(int n) {
        return Arrays.toString(new float[n]);
    }

    @Test
    void malformedJsonSaysWhereAndWhy() {
        assertRefused(400, "malformed JSON at line 1, column 13: Unexpected close marker '}': expected ']' (for Array "
                + "starting at line 1, column 12)", infer("{\"inputs\": [}"));
        assertRefused(400, "malformed JSON", infer("{\"inputs\":[{\"name\":\"x\"}]} trailing"));
        assertRefused(400, "the request: expected an object, found an array", infer("[1, 2]"));
        assertRefused(400, "the request: expected an object, found the end of the document", infer(""));
        assertRefused(400, "malformed JSON", infer("{\"id\":\"a\",\"id\":\"b\"}"));
        assertRefused(400, "malformed JSON", infer(request("[1,1,8,8]", "FP32", "[".repeat(500) + "]".repeat(500))));
        byte[] badUtf8 = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertRefused(400, "malformed JSON", client.post("/v2/models/cnn/infer", badUtf8, Map.of()));
        assertRefused(400, "inputs: expected an array, found an object", infer("{\"inputs\":{}}"));
        assertRefused(400, "inputs: expected one input, '" + input + "', found none", infer("{\"inputs\":[]}"));
        assertRefused(400, "id: expected 1 to 256 characters", infer("{\"id\":\"" + "x".repeat(300) + "\"}"));
    }

    @Test
    void wrongShapeDatatypeOrDataIsRefusedWithTheExpectation() {
        assertRefused(400, "inputs[0].shape: expected [N, 1, 8, 8] with N >= 1, found [1, 64]",
                infer(request("[1,64]", "FP32", zeros(64))));
        assertRefused(400, "found [0, 1, 8, 8] (no samples)", infer(request("[0,1,8,8]", "FP32", "[]")));
        assertRefused(400, "inputs[0].shape[1]: expected a dimension", infer(request("[1,-1,8,8]", "FP32", "[]")));
        assertRefused(400, "inputs[0].data: shape [1, 1, 8, 8] holds 64 values, found 63",
                infer(request("[1,1,8,8]", "FP32", zeros(63))));
        assertRefused(400, "holds more values than one request may send",
                infer(request("[100000000,1,8,8]", "FP32", zeros(64))));
        assertRefused(400, "inputs[0].datatype: expected a numeric datatype (UINT8, ", infer(request("[1,1,8,8]",
                "BYTES", zeros(64))));
        assertRefused(400, "found 'FP33'", infer(request("[1,1,8,8]", "FP33", zeros(64))));
        assertRefused(400, "JSON has no 16-bit floats", infer(request("[1,1,8,8]", "FP16", zeros(64))));
        assertRefused(400, "inputs[0].data[0]: 300 is outside the range of UINT8",
                infer(request("[1,1,8,8]", "UINT8", "[300" + ",0".repeat(63) + "]")));
        assertRefused(400, "inputs[0].data[1]: expected a whole number (INT64), found 0.5",
                infer(request("[1,1,8,8]", "INT64", "[1,0.5" + ",0".repeat(62) + "]")));
        assertRefused(400, "inputs[0].data[2]: expected a number (FP32), found a string",
                infer(request("[1,1,8,8]", "FP32", "[1,2,\"3\"" + ",0".repeat(61) + "]")));
        assertRefused(400, "1e39 is outside the range of FP32",
                infer(request("[1,1,8,8]", "FP32", "[1e39" + ",0".repeat(63) + "]")));
        assertRefused(400, "inputs[0].name: the model's input is '" + input + "', found 'pixels'",
                infer(request("[1,1,8,8]", "FP32", zeros(64)).replace("\"name\":\"" + input, "\"name\":\"pixels")));
        assertRefused(400, "inputs: the model takes one input", infer("{\"inputs\":[{},{}]}"));
        assertRefused(400, "outputs[0].name: the model's output is", infer(good.replace("]}]}",
                "]}],\"outputs\":[{\"name\":\"probabilities\"}]}")));
        assertRefused(400, "classification extension is not supported", infer(good.replace("]}]}",
                "]}],\"outputs\":[{\"name\":\"x\",\"parameters\":{\"classification\":3}}]}")));
    }

    @Test
    void binaryExtensionMistakes() {
        String header = "{\"inputs\":[{\"name\":\"" + input + "\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":256}}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, json.length + 256);
        assertRefused(400, "binary data needs the Inference-Header-Content-Length header",
                client.post("/v2/models/cnn/infer", body, Map.of()));
        assertRefused(400, "Inference-Header-Content-Length: expected a byte count, found 'abc'",
                client.post("/v2/models/cnn/infer", body, Map.of("Inference-Header-Content-Length", "abc")));
        assertRefused(400, "Inference-Header-Content-Length: expected at most the body's",
                client.post("/v2/models/cnn/infer", body, Map.of("Inference-Header-Content-Length", "99999")));
        byte[] short1 = Arrays.copyOf(body, body.length - 1);
        assertRefused(400, "expected 256 bytes of binary data after the",
                client.post("/v2/models/cnn/infer", short1,
                        Map.of("Inference-Header-Content-Length", Integer.toString(json.length))));
        byte[] wrongSize = header.replace("256", "255").getBytes(StandardCharsets.UTF_8);
        assertRefused(400, "is 256 bytes, found 255", client.post("/v2/models/cnn/infer",
                Arrays.copyOf(wrongSize, wrongSize.length + 255),
                Map.of("Inference-Header-Content-Length", Integer.toString(wrongSize.length))));
    }

    @Test
    void anOversizedBodyIsRefusedBeforeItIsRead() {
        String huge = request("[1,1,8,8]", "FP32", zeros(64)) + " ".repeat(MAX_BODY);
        assertRefused(413, "larger than the limit, " + MAX_BODY + " bytes",
                client.postExpectingContinue("/v2/models/cnn/infer", huge));
        assertEquals(200, infer(good).status(), "the next request is served");
    }

    @Test
    void unknownModelsAndVersions() {
        assertRefused(404, "no model 'nope' in the repository (it has broken, cnn)",
                client.post("/v2/models/nope/infer", good));
        assertRefused(404, "does not serve version 7; it serves version 1",
                client.post("/v2/models/cnn/versions/7/infer", good));
        assertRefused(400, "model version: expected a positive whole number, found 'abc'",
                client.post("/v2/models/cnn/versions/abc/infer", good));
        assertRefused(400, "found '0'", client.post("/v2/models/cnn/versions/0/infer", good));
        assertRefused(404, "no model 'nope'", client.get("/v2/models/nope"));
        assertRefused(404, "no model 'nope'", client.get("/v2/models/nope/ready"));
        assertRefused(404, "does not serve version 2", client.get("/v2/models/cnn/versions/2/ready"));
        assertEquals(200, client.post("/v2/models/cnn/versions/1/infer", good).status());
    }

    @Test
    void aCorruptVersionIsReportedAndTheOldOneKeepsServing() {
        V2Client.Reply reply = infer(good);
        assertEquals(200, reply.status(), reply.text());
        assertEquals("1", reply.json().path("model_version").asText());

        var states = client.get("/v2/models/cnn").json().path("version_states");
        assertEquals("2", states.path(0).path("version").asText());
        assertEquals("FAILED", states.path(0).path("state").asText());
        assertTrue(states.path(0).path("reason").asText().contains("model.nabla"), states.toString());
        assertEquals("READY", states.path(1).path("state").asText());

        assertRefused(503, "model 'broken' has no version that loads: version 1:",
                client.post("/v2/models/broken/infer", good));
        assertRefused(503, "model 'broken' has no version that loads", client.get("/v2/models/broken/ready"));
        assertRefused(503, "not ready: model 'broken'", client.get("/v2/health/ready"));
        String metrics = client.get("/metrics").text();
        assertTrue(metrics.contains("nabla_model_loads_total{model=\"cnn\",outcome=\"failure\"} 1.0"), metrics);
        assertTrue(metrics.contains("nabla_model_loads_total{model=\"broken\",outcome=\"failure\"} 1.0"), metrics);
        var index = client.post("/v2/repository/index", "").json();
        assertEquals(3, index.size(), index.toString());
    }

    @Test
    void mutatedRequestsAreAnsweredAndNeverBreakTheServer() {
        byte[] valid = request("[1,1,8,8]", "FP32", zeros(64)).getBytes(StandardCharsets.UTF_8);
        Random random = new Random(12);
        for (int i = 0; i < 300; i++) {
            byte[] body = valid.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(body.length);
                switch (random.nextInt(3)) {
                    case 0 -> body[at] = (byte) random.nextInt(256);
                    case 1 -> body = Arrays.copyOf(body, at);
                    default -> body[at] = "{}[],:\"0-e.".getBytes(StandardCharsets.US_ASCII)[random.nextInt(11)];
                }
                if (body.length == 0) {
                    break;
                }
            }
            V2Client.Reply reply = client.post("/v2/models/cnn/infer", body, Map.of());
            assertTrue(reply.status() == 200 || reply.status() == 400,
                    "mutation " + i + ": " + new String(body, StandardCharsets.UTF_8) + " -> " + reply.text());
            if (reply.status() == 400) {
                assertTrue(!reply.error().isBlank());
            }
        }
        assertEquals(200, infer(good).status());
        String metrics = client.get("/metrics").text();
        assertTrue(!metrics.contains("outcome=\"error\""), metrics);
    }
}
