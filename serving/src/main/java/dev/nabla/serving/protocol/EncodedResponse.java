package dev.nabla.serving.protocol;

/**
 * A response body ready to send.
 *
 * @param headerLength the JSON header's length when binary data follows it (the response's
 *                     {@code Inference-Header-Content-Length}), else -1
 */
public record EncodedResponse(byte[] body, String contentType, int headerLength) {
    public static final String JSON = "application/json";
    public static final String BINARY = "application/octet-stream";
}
