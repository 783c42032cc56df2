package dev.nabla.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.nabla.serving.batching.QueueFullException;
import dev.nabla.serving.protocol.EncodedResponse;
import dev.nabla.serving.protocol.ProtocolException;
import dev.nabla.serving.protocol.WireJson;
import dev.nabla.serving.repository.ModelNotFoundException;
import dev.nabla.serving.repository.ModelUnavailableException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/** Writes JSON answers and maps failures to statuses: every error is {@code {"error": "..."}}. */
final class Responses {
    private static final Logger log = LoggerFactory.getLogger(Responses.class);

    private Responses() {
    }

    static void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType(EncodedResponse.JSON).result(WireJson.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response", e);
        }
    }

    static void error(Context ctx, int status, String message) {
        json(ctx, status, Map.of("error", message));
    }

    /**
     * Answers a failure with its status and returns the status. A client's error gets its message; a fault of the
     * server is logged with its stack trace and answered {@code internal error} only, so that no exception's class
     * or message (paths, internals) reaches clients.
     */
    static int failure(Context ctx, Throwable e) {
        int status = status(e);
        String message;
        if (status == 500) {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            message = "internal error (see the server's log)";
        } else {
            message = e.getMessage() != null ? e.getMessage() : "status " + status;
            log.debug("{} {}: {} {}", ctx.method(), ctx.path(), status, message);
        }
        error(ctx, status, message);
        return status;
    }

    static int status(Throwable e) {
        return switch (e) {
            case ProtocolException x -> 400;
            case HttpError x -> x.status();
            case ModelNotFoundException x -> 404;
            case ModelUnavailableException x -> 503;
            case QueueFullException x -> 503;
            default -> 500;
        };
    }
}
