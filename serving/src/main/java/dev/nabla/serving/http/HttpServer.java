package dev.nabla.serving.http;

import dev.nabla.serving.capture.PayloadSink;
import dev.nabla.serving.metrics.ServerMetrics;
import dev.nabla.serving.repository.ModelRepository;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.server.handler.GracefulHandler;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * The Open Inference Protocol over HTTP on Javalin (Jetty 12). Handlers run on virtual threads, so a request
 * waiting for its batch costs no platform thread and the batcher's bounded queue, not a thread pool, decides when
 * the server is full. Stopping is graceful: the connector stops accepting, requests in progress finish (up to the
 * shutdown timeout), and new ones are answered 503.
 *
 * <p>Responses are never compressed: tensors compress poorly and latency matters more than bytes on the wire.
 */
public final class HttpServer {
    /** Everything the HTTP layer is configured with. */
    public record Options(String host, int port, long maxBodyBytes, long inFlightBudgetBytes,
                          Duration shutdownTimeout, String serverVersion) {
    }

    private final Javalin app;
    private volatile boolean accepting = true;

    public HttpServer(ModelRepository repository, PayloadSink sink, ServerMetrics metrics, Options options) {
        InFlightBytes inFlight = new InFlightBytes(options.inFlightBudgetBytes());
        InferenceHandler infer = new InferenceHandler(repository, sink, metrics, options.maxBodyBytes(), inFlight);
        FeedbackHandler feedback = new FeedbackHandler(sink, metrics, options.maxBodyBytes(), inFlight);
        MetadataHandlers meta = new MetadataHandlers(repository, options.serverVersion(), () -> accepting);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.http.maxRequestSize = options.maxBodyBytes();
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.http.prefer405over404 = true;
            config.concurrency.useVirtualThreads = true;
            config.router.ignoreTrailingSlashes = true;
            config.jetty.modifyServer(server -> {
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(options.shutdownTimeout().toMillis());
            });

            var routes = config.routes;
            routes.get("/v2/health/live", meta::live);
            routes.get("/v2/health/ready", meta::ready);
            routes.get("/v2", meta::server);
            routes.get("/v2/models/{name}", meta::model);
            routes.get("/v2/models/{name}/versions/{version}", meta::model);
            routes.get("/v2/models/{name}/ready", meta::modelReady);
            routes.get("/v2/models/{name}/versions/{version}/ready", meta::modelReady);
            routes.post("/v2/models/{name}/infer", infer::handle);
            routes.post("/v2/models/{name}/versions/{version}/infer", infer::handle);
            routes.post("/v2/models/{name}/feedback", feedback::handle);
            routes.post("/v2/repository/index", meta::index);
            routes.get("/metrics", ctx -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                metrics.scrape(out);
                ctx.contentType(metrics.contentType()).result(out.toByteArray());
            });
            // Javalin's own refusals (no such endpoint, wrong method) in the protocol's error form
            routes.exception(HttpResponseException.class, (e, ctx) -> Responses.error(ctx, e.getStatus(),
                    e.getStatus() == 404 ? "no endpoint " + ctx.method() + " " + ctx.path()
                            : e.getStatus() == 405 ? "method " + ctx.method() + " is not allowed on " + ctx.path()
                            : e.getMessage()));
            routes.exception(Exception.class, (e, ctx) -> Responses.failure(ctx, e));
        });
    }

    public void start() {
        app.start();
    }

    /** The port it listens on (the one chosen when it was asked for port 0). */
    public int port() {
        return app.port();
    }

    /** Stops accepting requests and waits for those in progress (up to the shutdown timeout). */
    public void stop() {
        accepting = false;
        app.stop();
    }
}
