package dev.nabla.serving;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain Open Inference Protocol client over java.net.http, as an outside client would call the server. */
public final class V2Client {
    /** Decimals kept as written, so that FP32 values read back exactly. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public V2Client(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** A response: status, headers and body. */
    public record Reply(int status, Map<String, java.util.List<String>> headers, byte[] body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + new String(body), e);
            }
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        /** The error message of a refused request. */
        public String error() {
            return json().path("error").asText();
        }
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Reply post(String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return send(b);
    }

    /**
     * A JSON POST that sends its body only after the server's {@code 100 Continue}: a server refusing the request from
     * its headers (413) answers before the body is sent. Without it the refusal races the upload: the server closes
     * a connection with unread bytes, and the reset can reach the client before the 413 does.
     */
    public Reply postExpectingContinue(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).expectContinue(true)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply post(String path, String json) {
        return post(path, json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));
    }

    /** A JSON infer request for {@code samples} test images. */
    public static String inferJson(String input, String id, float[] images, int samples) {
        StringBuilder sb = new StringBuilder("{");
        if (id != null) {
            sb.append("\"id\":\"").append(id).append("\",");
        }
        sb.append("\"inputs\":[{\"name\":\"").append(input).append("\",\"shape\":[").append(samples)
                .append(",1,8,8],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < images.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(Float.toString(images[i]));
        }
        return sb.append("]}]}").toString();
    }

    /** The output values of a JSON infer response. */
    public static float[] outputs(JsonNode response) {
        JsonNode data = response.path("outputs").path(0).path("data");
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(data.get(i).asText());
        }
        return out;
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
