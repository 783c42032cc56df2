package dev.nabla.serving.http;

import dev.nabla.serving.capture.PayloadSink;
import dev.nabla.serving.capture.PayloadSink.FeedbackResult;
import dev.nabla.serving.metrics.RequestOutcome;
import dev.nabla.serving.metrics.ServerMetrics;
import dev.nabla.serving.protocol.Feedback;
import dev.nabla.serving.protocol.FeedbackDecoder;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v2/models/{name}/feedback}: ground-truth labels for served requests, one object
 * {@code {"id": ..., "labels": [...]}} or a list of them. The whole body is checked before anything is attached;
 * then each item goes to the payload sink in order. All attached: 200 {@code {"attached": n}}. Otherwise the first
 * failure decides the status (a request not captured 404, a wrong number of labels 400), and the answer says how
 * many items before it were attached (attachments are durable and are not undone).
 */
final class FeedbackHandler {
    private final PayloadSink sink;
    private final ServerMetrics metrics;
    private final long maxBodyBytes;
    private final InFlightBytes inFlight;

    FeedbackHandler(PayloadSink sink, ServerMetrics metrics, long maxBodyBytes, InFlightBytes inFlight) {
        this.sink = sink;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.inFlight = inFlight;
    }

    void handle(Context ctx) {
        int status = 500;
        try (RequestBody body = RequestBody.read(ctx, maxBodyBytes, inFlight)) {
            String model = PathParams.name(ctx);
            List<Feedback> items = FeedbackDecoder.decode(body.bytes());
            int attached = 0;
            for (Feedback item : items) {
                FeedbackResult result = sink.attachLabels(model, item.requestId(), item.labels());
                if (result != FeedbackResult.ATTACHED) {
                    status = result == FeedbackResult.NOT_CAPTURED ? 404 : 400;
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("error", message(model, item, result, items.size()));
                    answer.put("attached", attached);
                    Responses.json(ctx, status, answer);
                    return;
                }
                attached++;
            }
            status = 200;
            Responses.json(ctx, 200, Map.of("attached", attached));
        } catch (RuntimeException e) {
            status = Responses.failure(ctx, e);
        } finally {
            metrics.feedback(RequestOutcome.of(status));
        }
    }

    private static String message(String model, Feedback item, FeedbackResult result, int items) {
        String what = result == FeedbackResult.NOT_CAPTURED
                ? "request '" + item.requestId() + "' of model '" + model + "' was not captured (sampled out, never "
                + "served, or another model's)"
                : "request '" + item.requestId() + "' of model '" + model + "': " + item.labels().length
                + " labels do not match its number of samples";
        return items > 1 ? what + "; items after it were not attached" : what;
    }
}
