package dev.nabla.serving.metrics;

/** How a request ended, as the {@code outcome} label counts it. */
public enum RequestOutcome {
    SUCCESS("success"),
    /** 400: malformed, or not what the model takes. */
    BAD_REQUEST("bad_request"),
    /** 404: no such model or version. */
    NOT_FOUND("not_found"),
    /** 413: the body is larger than the limit. */
    TOO_LARGE("too_large"),
    /** 503: the queue is full, the model is not ready, the server is busy or shutting down. */
    UNAVAILABLE("unavailable"),
    /** 500: a fault of the server. */
    ERROR("error");

    private final String label;

    RequestOutcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The outcome of an HTTP status. */
    public static RequestOutcome of(int status) {
        return switch (status) {
            case 200 -> SUCCESS;
            case 400 -> BAD_REQUEST;
            case 404 -> NOT_FOUND;
            case 413 -> TOO_LARGE;
            case 503 -> UNAVAILABLE;
            default -> status < 400 ? SUCCESS : status < 500 ? BAD_REQUEST : ERROR;
        };
    }
}
