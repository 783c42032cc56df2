package dev.nabla.serving.http;

import io.javalin.http.Context;

import java.util.OptionalLong;

/** The model name and version of a {@code /v2/models/{name}[/versions/{version}]} path. */
final class PathParams {
    private PathParams() {
    }

    static String name(Context ctx) {
        return ctx.pathParam("name");
    }

    /** The version in the path, if it has one; a version that is not a positive whole number is refused (400). */
    static OptionalLong version(Context ctx) {
        String text = ctx.pathParamMap().get("version");
        if (text == null) {
            return OptionalLong.empty();
        }
        try {
            long v = Long.parseLong(text);
            if (v >= 1) {
                return OptionalLong.of(v);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new HttpError(400, "model version: expected a positive whole number, found '"
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
    }
}
