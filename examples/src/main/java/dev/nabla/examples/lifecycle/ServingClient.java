package dev.nabla.examples.lifecycle;

import dev.nabla.io.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a production client of the lifecycle demo does over HTTP, with the Open Inference Protocol's JSON: ask for a
 * prediction of one image, and later send the true label of a request by its id.
 */
final class ServingClient {
    /** One answer: which version answered, the predicted class, and the request id to send feedback for. */
    record Answer(String id, long version, int predicted) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String model;

    ServingClient(int port, String model) {
        this.base = "http://127.0.0.1:" + port + "/v2/models/" + model;
        this.model = model;
    }

    /** The served version, or -1 while none is ready. */
    long servedVersion() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/ready")).GET());
        if (r.statusCode() != 200) {
            return -1;
        }
        return version(Json.parse(send(HttpRequest.newBuilder(URI.create(base)).GET()).body()));
    }

    /** The name of the model's input, from its metadata. */
    String inputName() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base)).GET());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("model " + model + " metadata: HTTP " + r.statusCode() + " " + r.body());
        }
        Map<?, ?> inputs = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(r.body())).get("inputs")).get(0);
        return (String) inputs.get("name");
    }

    Answer infer(String input, String id, float[] image) {
        double[] data = new double[image.length];
        for (int i = 0; i < image.length; i++) {
            data[i] = image[i];
        }
        Map<String, Object> tensor = new LinkedHashMap<>();
        tensor.put("name", input);
        tensor.put("shape", new long[]{1, 1, 28, 28});
        tensor.put("datatype", "FP32");
        tensor.put("data", data);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("inputs", List.of(tensor));
        HttpResponse<String> r = post(base + "/infer", Json.write(body));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("infer: HTTP " + r.statusCode() + " " + r.body());
        }
        Map<?, ?> json = (Map<?, ?>) Json.parse(r.body());
        List<?> scores = (List<?>) ((Map<?, ?>) ((List<?>) json.get("outputs")).get(0)).get("data");
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
            if (((Number) scores.get(i)).doubleValue() > ((Number) scores.get(best)).doubleValue()) {
                best = i;
            }
        }
        return new Answer((String) json.get("id"), version(json), best);
    }

    void feedback(String id, long label) {
        HttpResponse<String> r = post(base + "/feedback", Json.write(Map.of("id", id, "labels", List.of(label))));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("feedback: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static long version(Object json) {
        Object v = ((Map<?, ?>) json).get("model_version");
        if (v == null) {
            List<?> versions = (List<?>) ((Map<?, ?>) json).get("versions");
            v = versions.get(0);
        }
        return Long.parseLong(v.toString());
    }

    private HttpResponse<String> post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("request to the server failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
