package dev.nabla.serving.http;

import dev.nabla.serving.protocol.TensorSpec;
import dev.nabla.serving.repository.ModelLease;
import dev.nabla.serving.repository.ModelRepository;
import dev.nabla.serving.repository.ModelSignature;
import dev.nabla.serving.repository.ModelStatus;
import dev.nabla.serving.repository.VersionStatus;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The protocol's health and metadata endpoints, plus Triton's repository index:
 * <ul>
 *   <li>{@code GET /v2/health/live}: 200 {@code {"live": true}} while the process serves HTTP;</li>
 *   <li>{@code GET /v2/health/ready}: 200 {@code {"ready": true}} when every model of the repository serves a
 *       version, else 503 naming what is not ready;</li>
 *   <li>{@code GET /v2}: the server's name, version and extensions;</li>
 *   <li>{@code GET /v2/models/{name}[/versions/{v}]}: name, served versions, platform, inputs and outputs (shape
 *       -1 for the batch), plus the class names ({@code labels}) and every version directory's state
 *       ({@code version_states}: READY, FAILED with the reason, or UNAVAILABLE when a newer version serves);</li>
 *   <li>{@code GET /v2/models/{name}[/versions/{v}]/ready}: 200 {@code {"name", "ready": true}}, 404 for an unknown
 *       model or version, 503 when no version serves;</li>
 *   <li>{@code POST /v2/repository/index}: every model and version with its state.</li>
 * </ul>
 */
final class MetadataHandlers {
    static final String PLATFORM = "nabla";

    private final ModelRepository repository;
    private final String serverVersion;
    private final BooleanSupplier accepting;

    /** @param accepting false once the server is shutting down: then it is no longer ready */
    MetadataHandlers(ModelRepository repository, String serverVersion, BooleanSupplier accepting) {
        this.repository = repository;
        this.serverVersion = serverVersion;
        this.accepting = accepting;
    }

    void live(Context ctx) {
        Responses.json(ctx, 200, Map.of("live", true));
    }

    void ready(Context ctx) {
        if (!accepting.getAsBoolean()) {
            Responses.error(ctx, 503, "the server is shutting down");
            return;
        }
        List<String> notReady = repository.models().stream().filter(m -> !m.ready())
                .map(m -> repository.unavailableReason(m.name())).toList();
        if (notReady.isEmpty()) {
            Responses.json(ctx, 200, Map.of("ready", true));
        } else {
            Responses.error(ctx, 503, "not ready: " + String.join("; ", notReady));
        }
    }

    void server(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", PLATFORM);
        body.put("version", serverVersion);
        body.put("extensions", List.of("binary_tensor_data"));
        Responses.json(ctx, 200, body);
    }

    void model(Context ctx) {
        respond(ctx, () -> {
            try (ModelLease lease = lease(ctx)) {
                ModelStatus status = repository.model(lease.model().name()).orElseThrow();
                return metadata(status, lease.model().version(), lease.model().signature());
            }
        });
    }

    void modelReady(Context ctx) {
        respond(ctx, () -> {
            try (ModelLease lease = lease(ctx)) {
                return Map.of("name", lease.model().name(), "ready", true);
            }
        });
    }

    void index(Context ctx) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (ModelStatus m : repository.models()) {
            for (VersionStatus v : m.versions()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", m.name());
                e.put("version", Long.toString(v.version()));
                e.put("state", v.state().name());
                if (v.reason() != null) {
                    e.put("reason", v.reason());
                }
                entries.add(e);
            }
        }
        Responses.json(ctx, 200, entries);
    }

    private ModelLease lease(Context ctx) {
        String name = PathParams.name(ctx);
        return repository.lease(name, PathParams.version(ctx));
    }

    private static void respond(Context ctx, Supplier<Object> body) {
        try {
            Responses.json(ctx, 200, body.get());
        } catch (RuntimeException e) {
            Responses.failure(ctx, e);
        }
    }

    private static Map<String, Object> metadata(ModelStatus status, long version, ModelSignature signature) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", status.name());
        body.put("versions", List.of(Long.toString(version)));
        body.put("platform", PLATFORM);
        body.put("inputs", List.of(tensor(signature.input())));
        body.put("outputs", List.of(tensor(signature.output())));
        if (!signature.labels().isEmpty()) {
            body.put("labels", signature.labels());
        }
        List<Map<String, Object>> states = new ArrayList<>();
        for (VersionStatus v : status.versions()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("version", Long.toString(v.version()));
            s.put("state", v.state().name());
            if (v.reason() != null) {
                s.put("reason", v.reason());
            }
            states.add(s);
        }
        body.put("version_states", states);
        return body;
    }

    private static Map<String, Object> tensor(TensorSpec spec) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", spec.name());
        t.put("datatype", spec.datatype().name());
        t.put("shape", spec.shape());
        return t;
    }
}
