package dev.nabla.serving.http;

import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A request's body, read whole within the size limit and held against the in-flight memory budget until closed.
 * A body that declares more than the limit is refused (413) before a byte of it is read; one sent without a length
 * is read up to the limit and refused at the first byte past it.
 */
final class RequestBody implements AutoCloseable {
    private final InFlightBytes budget;
    private final long reserved;
    private final byte[] bytes;

    private RequestBody(InFlightBytes budget, long reserved, byte[] bytes) {
        this.budget = budget;
        this.reserved = reserved;
        this.bytes = bytes;
    }

    static RequestBody read(Context ctx, long maxBytes, InFlightBytes budget) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw new HttpError(413, "request body of " + declared + " bytes is larger than the limit, " + maxBytes
                    + " bytes");
        }
        long reserve = declared >= 0 ? declared : maxBytes;
        if (!budget.tryReserve(reserve)) {
            throw new HttpError(503, "server busy: requests in flight hold the memory budget ("
                    + budget.budget() / (1 << 20) + " MiB); retry later");
        }
        try {
            return new RequestBody(budget, reserve, declared >= 0 ? readExactly(ctx, (int) declared)
                    : readUpTo(ctx, maxBytes));
        } catch (RuntimeException e) {
            budget.release(reserve);
            throw e;
        }
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public void close() {
        budget.release(reserved);
    }

    private static byte[] readExactly(Context ctx, int length) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new HttpError(400, "request body ended after " + body.length + " of its " + length + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body: " + e.getMessage(), e);
        }
    }

    private static byte[] readUpTo(Context ctx, long maxBytes) {
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[16384];
            for (int n; (n = in.read(chunk)) >= 0; ) {
                if (out.size() + (long) n > maxBytes) {
                    throw new HttpError(413, "request body is larger than the limit, " + maxBytes + " bytes");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body: " + e.getMessage(), e);
        }
    }
}
