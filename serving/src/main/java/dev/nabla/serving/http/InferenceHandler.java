package dev.nabla.serving.http;

import dev.nabla.serving.capture.InferenceRecord;
import dev.nabla.serving.capture.PayloadSink;
import dev.nabla.serving.metrics.RequestOutcome;
import dev.nabla.serving.metrics.ServerMetrics;
import dev.nabla.serving.protocol.EncodedResponse;
import dev.nabla.serving.protocol.InferRequest;
import dev.nabla.serving.protocol.InferRequestDecoder;
import dev.nabla.serving.protocol.InferResponse;
import dev.nabla.serving.protocol.InferResponseEncoder;
import dev.nabla.serving.protocol.TensorSpec;
import dev.nabla.serving.repository.ModelLease;
import dev.nabla.serving.repository.ModelRepository;
import dev.nabla.serving.repository.ServedModel;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /v2/models/{name}[/versions/{version}]/infer}: reads the body within the limits, leases the serving
 * version, decodes and checks the request against it, waits for its batch, answers, and only then hands the request
 * to the payload sink. The lease is held until the answer is written, so a version swapped out meanwhile finishes
 * this request before it unloads.
 */
final class InferenceHandler {
    private static final Logger log = LoggerFactory.getLogger(InferenceHandler.class);
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final ModelRepository repository;
    private final PayloadSink sink;
    private final ServerMetrics metrics;
    private final long maxBodyBytes;
    private final InFlightBytes inFlight;

    InferenceHandler(ModelRepository repository, PayloadSink sink, ServerMetrics metrics, long maxBodyBytes,
                     InFlightBytes inFlight) {
        this.repository = repository;
        this.sink = sink;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.inFlight = inFlight;
    }

    void handle(Context ctx) {
        long start = System.nanoTime();
        String name = PathParams.name(ctx);
        // label only names the repository has, so that clients cannot grow the label set
        String label = repository.has(name) ? name : "";
        int status = 500;
        InferenceRecord served = null;
        try {
            OptionalLong version = PathParams.version(ctx);
            try (RequestBody body = RequestBody.read(ctx, maxBodyBytes, inFlight);
                 ModelLease lease = repository.lease(name, version)) {
                served = answer(ctx, lease.model(), body.bytes(), headerLength(ctx));
                status = 200;
                metrics.requestDuration(label, System.nanoTime() - start);
            }
        } catch (RuntimeException e) {
            status = Responses.failure(ctx, e);
        } finally {
            metrics.request(label, RequestOutcome.of(status));
        }
        if (served != null) {
            offer(served);
        }
    }

    /** Runs the request and writes the answer; returns what the payload sink is to get. */
    private InferenceRecord answer(Context ctx, ServedModel model, byte[] body, long headerLength) {
        TensorSpec input = model.signature().input();
        TensorSpec output = model.signature().output();
        InferRequest request = new InferRequestDecoder(input, output).decode(body, headerLength);
        float[] result;
        try {
            result = model.infer(request.input(), request.samples()).join();
        } catch (CompletionException e) {
            throw new IllegalStateException("inference failed: " + e.getCause(), e.getCause());
        }
        String id = request.id() != null ? request.id() : UUID.randomUUID().toString();
        int[] outputShape = output.shapeFor(request.samples());
        String version = Long.toString(model.version());
        write(ctx, InferResponseEncoder.encode(new InferResponse(model.name(), version, id, output.name(),
                outputShape, result, request.outputBinary())));
        return new InferenceRecord(id, model.name(), version, System.currentTimeMillis(), request.inputShape(),
                request.input(), outputShape, result);
    }

    /** Sends the response now (completing it), so that what follows does not delay the client. */
    private static void write(Context ctx, EncodedResponse response) {
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType(response.contentType());
        if (response.headerLength() >= 0) {
            res.setHeader(HEADER_LENGTH, Integer.toString(response.headerLength()));
        }
        res.setContentLength(response.body().length);
        try (OutputStream out = res.getOutputStream()) {
            out.write(response.body());
        } catch (IOException e) {
            // the client went away; the inference was done, and counts as served
            log.debug("{} {}: could not send the response: {}", ctx.method(), ctx.path(), e.toString());
        }
    }

    private void offer(InferenceRecord record) {
        try {
            sink.offer(record);
        } catch (RuntimeException e) {
            log.error("the payload sink refused request {} of {}", record.requestId(), record.model(), e);
        }
    }

    /** The binary extension's header, or -1 without it. */
    private static long headerLength(Context ctx) {
        String value = ctx.header(HEADER_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new HttpError(400, HEADER_LENGTH + ": expected a byte count, found '"
                + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
    }
}
