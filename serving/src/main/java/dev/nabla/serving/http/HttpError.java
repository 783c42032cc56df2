package dev.nabla.serving.http;

/** A request refused by the HTTP layer itself, with the status it answers. */
final class HttpError extends RuntimeException {
    private final int status;

    HttpError(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
