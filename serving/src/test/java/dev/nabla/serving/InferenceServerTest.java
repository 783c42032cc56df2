package dev.nabla.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.serving.capture.InferenceRecord;
import io.prometheus.metrics.core.metrics.Gauge;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol end to end over real HTTP: health, metadata, inference in every encoding, feedback, metrics. */
class InferenceServerTest {
    @TempDir
    static Path repository;

    static Graph graph;
    static String inputName;
    static Predictor direct;
    static RecordingSink sink = new RecordingSink();
    static InferenceServer server;
    static V2Client client;

    @BeforeAll
    static void start() {
        graph = TestModels.cnn(1);
        inputName = graph.inputs().getFirst().name();
        direct = Predictor.of(graph);
        TestModels.publish(repository, "cnn", 1, TestModels.modelBytes(graph));
        server = InferenceServer.builder().repository(repository).host("127.0.0.1").port(0)
                .pollInterval(java.time.Duration.ZERO).payloadSink(sink).build().start();
        client = new V2Client(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
        direct.close();
    }

    static float[] predict(float[] images, int samples) {
        try (var scope = TensorScope.open()) {
            int[] shape = {samples, 1, 8, 8};
            return direct.predict(Tensor.of(images, shape)).toFloatArray();
        }
    }

    @Test
    void healthAndServerMetadata() {
        assertEquals(200, client.get("/v2/health/live").status());
        assertTrue(client.get("/v2/health/live").json().path("live").asBoolean());
        V2Client.Reply ready = client.get("/v2/health/ready");
        assertEquals(200, ready.status(), ready.text());
        JsonNode meta = client.get("/v2").json();
        assertEquals("nabla", meta.path("name").asText());
        assertTrue(meta.path("extensions").toString().contains("binary_tensor_data"));
    }

    @Test
    void modelMetadataDescribesInputsOutputsAndLabels() {
        V2Client.Reply reply = client.get("/v2/models/cnn");
        assertEquals(200, reply.status(), reply.text());
        JsonNode m = reply.json();
        assertEquals("cnn", m.path("name").asText());
        assertEquals("[\"1\"]", m.path("versions").toString());
        assertEquals("nabla", m.path("platform").asText());
        assertEquals(inputName, m.path("inputs").path(0).path("name").asText());
        assertEquals("FP32", m.path("inputs").path(0).path("datatype").asText());
        assertEquals("[-1,1,8,8]", m.path("inputs").path(0).path("shape").toString());
        assertEquals("[-1,10]", m.path("outputs").path(0).path("shape").toString());
        assertTrue(graph.outputs().getFirst().name().startsWith("%"), "the graph's output is an anonymous value");
        assertEquals("output", m.path("outputs").path(0).path("name").asText(), "named stably across versions");
        assertEquals(TestModels.LABELS.size(), m.path("labels").size());
        assertEquals("READY", m.path("version_states").path(0).path("state").asText());
        assertEquals(200, client.get("/v2/models/cnn/versions/1").status());
        assertEquals(200, client.get("/v2/models/cnn/ready").status());
        assertEquals(200, client.get("/v2/models/cnn/versions/1/ready").status());
    }

    @Test
    void oneSampleEqualsTheDirectPredictorBitForBit() {
        float[] x = TestModels.images(1, 42);
        V2Client.Reply reply = client.post("/v2/models/cnn/infer", V2Client.inferJson(inputName, "req-1", x, 1));
        assertEquals(200, reply.status(), reply.text());
        JsonNode r = reply.json();
        assertEquals("cnn", r.path("model_name").asText());
        assertEquals("1", r.path("model_version").asText());
        assertEquals("req-1", r.path("id").asText());
        assertEquals("[1,10]", r.path("outputs").path(0).path("shape").toString());
        assertEquals("FP32", r.path("outputs").path(0).path("datatype").asText());
        assertArrayEquals(predict(x, 1), V2Client.outputs(r));
    }

    @Test
    void severalSamplesRunPaddedToTheNextPlanSize() {
        // 3 samples run in a batch of 4 (the 4th zeros): bit for bit what the predictor gives for that batch.
        float[] x = TestModels.images(3, 7);
        JsonNode r = client.post("/v2/models/cnn/infer", V2Client.inferJson(inputName, null, x, 3)).json();
        float[] served = V2Client.outputs(r);
        float[] padded = Arrays.copyOf(x, 4 * TestModels.SAMPLE_SIZE);
        assertArrayEquals(Arrays.copyOf(predict(padded, 4), 30), served);
        // Against a batch of exactly 3, results may differ in the last bits (kernels block by batch size).
        float[] exact3 = predict(x, 3);
        for (int i = 0; i < exact3.length; i++) {
            assertEquals(exact3[i], served[i], 1e-5f * Math.max(1, Math.abs(exact3[i])), "element " + i);
        }
        assertEquals(36, r.path("id").asText().length(), "a generated UUID: " + r.path("id"));
    }

    @Test
    void binaryTensorsInAndOut() {
        float[] x = TestModels.images(2, 9);
        String header = "{\"inputs\":[{\"name\":\"" + inputName + "\",\"shape\":[2,1,8,8],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + x.length * 4 + "}}],"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(json.length + x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(json);
        body.asFloatBuffer().put(x);
        V2Client.Reply reply = client.post("/v2/models/cnn/infer", body.array(), Map.of(
                "Content-Type", "application/octet-stream",
                "Inference-Header-Content-Length", Integer.toString(json.length)));
        assertEquals(200, reply.status(), reply.text());
        int headerLength = Integer.parseInt(reply.header("Inference-Header-Content-Length"));
        JsonNode r;
        try {
            r = V2Client.JSON.readTree(Arrays.copyOf(reply.body(), headerLength));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(80, r.path("outputs").path(0).path("parameters").path("binary_data_size").asInt());
        float[] out = new float[20];
        ByteBuffer.wrap(reply.body(), headerLength, 80).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        assertArrayEquals(predict(x, 2), out);
    }

    @Test
    void uint8AndInt64InputsAreConvertedAsTheyAre() {
        int[] pixels = new int[64];
        float[] asFloats = new float[64];
        for (int i = 0; i < 64; i++) {
            pixels[i] = (i * 37) % 256;
            asFloats[i] = pixels[i];
        }
        float[] expected = predict(asFloats, 1);
        for (String type : new String[]{"UINT8", "INT64"}) {
            String json = "{\"inputs\":[{\"name\":\"" + inputName + "\",\"shape\":[1,1,8,8],\"datatype\":\"" + type
                    + "\",\"data\":" + Arrays.toString(pixels) + "}]}";
            V2Client.Reply reply = client.post("/v2/models/cnn/infer", json);
            assertEquals(200, reply.status(), type + ": " + reply.text());
            assertArrayEquals(expected, V2Client.outputs(reply.json()), type);
        }
        // UINT8 as binary bytes
        String header = "{\"inputs\":[{\"name\":\"" + inputName + "\",\"shape\":[1,1,8,8],\"datatype\":\"UINT8\","
                + "\"parameters\":{\"binary_data_size\":64}}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, json.length + 64);
        for (int i = 0; i < 64; i++) {
            body[json.length + i] = (byte) pixels[i];
        }
        V2Client.Reply reply = client.post("/v2/models/cnn/infer", body,
                Map.of("Inference-Header-Content-Length", Integer.toString(json.length)));
        assertEquals(200, reply.status(), reply.text());
        assertArrayEquals(expected, V2Client.outputs(reply.json()));
    }

    @Test
    void nestedDataIsAcceptedAsRowMajor() {
        float[] x = TestModels.images(1, 3);
        StringBuilder nested = new StringBuilder("[[");
        for (int row = 0; row < 8; row++) {
            nested.append(row > 0 ? "," : "").append('[');
            for (int col = 0; col < 8; col++) {
                nested.append(col > 0 ? "," : "").append(x[row * 8 + col]);
            }
            nested.append(']');
        }
        nested.append("]]");
        String json = "{\"inputs\":[{\"data\":[" + nested + "],\"name\":\"" + inputName
                + "\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\"}]}";
        V2Client.Reply reply = client.post("/v2/models/cnn/infer", json);
        assertEquals(200, reply.status(), reply.text());
        assertArrayEquals(predict(x, 1), V2Client.outputs(reply.json()));
    }

    @Test
    void servedRequestsGoToThePayloadSinkAndFeedbackFindsThem() {
        float[] x = TestModels.images(2, 11);
        V2Client.Reply reply = client.post("/v2/models/cnn/infer", V2Client.inferJson(inputName, "fb-1", x, 2));
        assertEquals(200, reply.status());
        InferenceRecord record = awaitRecord("fb-1");
        assertEquals("cnn", record.model());
        assertEquals("1", record.version());
        assertArrayEquals(new int[]{2, 1, 8, 8}, record.inputShape());
        assertArrayEquals(x, record.input());
        assertArrayEquals(new int[]{2, 10}, record.outputShape());
        assertArrayEquals(V2Client.outputs(reply.json()), record.output());

        V2Client.Reply ok = client.post("/v2/models/cnn/feedback", "{\"id\":\"fb-1\",\"labels\":[3,5]}");
        assertEquals(200, ok.status(), ok.text());
        assertEquals(1, ok.json().path("attached").asInt());
        assertArrayEquals(new long[]{3, 5}, sink.labels.get("fb-1"));

        V2Client.Reply list = client.post("/v2/models/cnn/feedback",
                "[{\"id\":\"fb-1\",\"labels\":[1,2]},{\"id\":\"fb-1\",\"labels\":[4,4]}]");
        assertEquals(200, list.status(), list.text());
        assertEquals(2, list.json().path("attached").asInt());

        V2Client.Reply unknown = client.post("/v2/models/cnn/feedback", "{\"id\":\"nope\",\"labels\":[1]}");
        assertEquals(404, unknown.status());
        assertTrue(unknown.error().contains("'nope'"), unknown.error());

        V2Client.Reply wrongCount = client.post("/v2/models/cnn/feedback", "{\"id\":\"fb-1\",\"labels\":[1]}");
        assertEquals(400, wrongCount.status());
        assertTrue(wrongCount.error().contains("1 labels"), wrongCount.error());

        V2Client.Reply partial = client.post("/v2/models/cnn/feedback",
                "[{\"id\":\"fb-1\",\"labels\":[1,2]},{\"id\":\"gone\",\"labels\":[4]}]");
        assertEquals(404, partial.status());
        assertEquals(1, partial.json().path("attached").asInt());

        for (String bad : new String[]{"{\"id\":\"fb-1\"}", "{\"id\":\"fb-1\",\"labels\":[1.5,2]}", "[]", "{",
                "{\"id\":7,\"labels\":[1,2]}", "\"fb-1\""}) {
            V2Client.Reply r = client.post("/v2/models/cnn/feedback", bad);
            assertEquals(400, r.status(), bad + " -> " + r.text());
            assertFalse(r.error().isEmpty());
        }
    }

    /** The sink gets a request after its answer is sent: wait for it. */
    static InferenceRecord awaitRecord(String id) {
        for (int i = 0; i < 500; i++) {
            var found = sink.records.stream().filter(r -> r.requestId().equals(id)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("request " + id + " never reached the payload sink");
    }

    @Test
    void metricsShowRequestsBatchesLatenciesVersionsAndOtherComponentsCollectors() {
        client.post("/v2/models/cnn/infer", V2Client.inferJson(inputName, null, TestModels.images(1, 1), 1));
        client.post("/v2/models/nope/infer", "{}");
        Gauge drift = Gauge.builder().name("test_drift_score").help("a collector of another component")
                .register(server.registry());
        drift.set(0.25);
        V2Client.Reply reply = client.get("/metrics");
        assertEquals(200, reply.status());
        assertTrue(reply.header("Content-Type").startsWith("text/plain"), reply.header("Content-Type"));
        String text = reply.text();
        for (String expected : new String[]{
                "nabla_inference_requests_total{model=\"cnn\",outcome=\"success\"}",
                "nabla_inference_requests_total{model=\"\",outcome=\"not_found\"} 1.0",
                "nabla_inferences_total{model=\"cnn\",version=\"1\"}",
                "nabla_executions_total{model=\"cnn\",version=\"1\"}",
                "nabla_queue_duration_seconds_bucket{model=\"cnn\",le=\"0.001\"}",
                "nabla_compute_duration_seconds_count{model=\"cnn\"}",
                "nabla_request_duration_seconds_count{model=\"cnn\"}",
                "nabla_batch_size_bucket{model=\"cnn\",le=\"1.0\"}",
                "nabla_model_version_loaded{model=\"cnn\",version=\"1\"} 1.0",
                "nabla_model_loads_total{model=\"cnn\",outcome=\"success\"} 1.0",
                "test_drift_score 0.25"}) {
            assertTrue(text.contains(expected), "missing " + expected + " in\n" + text);
        }
    }

    @Test
    void unknownEndpointsAndMethodsAnswerInTheErrorForm() {
        V2Client.Reply none = client.get("/v2/nothing/here");
        assertEquals(404, none.status(), none.text());
        assertNotNull(none.error());
        V2Client.Reply method = client.get("/v2/models/cnn/infer");
        assertEquals(405, method.status(), method.text());
        assertTrue(method.error().contains("GET"), method.error());
    }
}
