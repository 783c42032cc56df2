package dev.nabla.serving.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a feedback body: {@code {"id": "<request id>", "labels": [3, 5]}}, or a list of such objects. Labels are
 * whole numbers (class indices), one per sample of the request; every item is checked before any is used.
 */
public final class FeedbackDecoder {
    private FeedbackDecoder() {
    }

    public static List<Feedback> decode(byte[] body) {
        List<Feedback> items = new ArrayList<>();
        try (JsonParser p = WireJson.FACTORY.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                items.add(readItem(p, ""));
            } else if (first == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    String where = "[" + items.size() + "]";
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw new ProtocolException(where + ": expected an object {\"id\": ..., \"labels\": [...]}, "
                                + "found " + WireJson.describe(p));
                    }
                    items.add(readItem(p, where));
                }
                if (items.isEmpty()) {
                    throw new ProtocolException("feedback: expected at least one {\"id\": ..., \"labels\": [...]}, "
                            + "found an empty list");
                }
            } else {
                throw new ProtocolException("feedback: expected {\"id\": ..., \"labels\": [...]} or a list of them, "
                        + "found " + WireJson.describe(p));
            }
            if (p.nextToken() != null) {
                throw new ProtocolException("malformed JSON: content after the feedback: " + WireJson.describe(p));
            }
        } catch (JacksonException e) {
            throw WireJson.malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reachable for a byte array
        }
        return items;
    }

    private static Feedback readItem(JsonParser p, String where) throws IOException {
        String prefix = where.isEmpty() ? "" : where + ".";
        String id = null;
        long[] labels = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> {
                    if (value != JsonToken.VALUE_STRING || p.getText().isEmpty()
                            || p.getText().length() > InferRequestDecoder.MAX_ID_LENGTH) {
                        throw new ProtocolException(prefix + "id: expected a request id (1 to "
                                + InferRequestDecoder.MAX_ID_LENGTH + " characters), found " + WireJson.describe(p));
                    }
                    id = p.getText();
                }
                case "labels" -> labels = readLabels(p, prefix + "labels");
                default -> p.skipChildren();
            }
        }
        if (id == null || labels == null) {
            throw new ProtocolException((where.isEmpty() ? "feedback" : where) + ": expected \"id\" and \"labels\", "
                    + "found " + (id == null && labels == null ? "neither" : id == null ? "no id" : "no labels"));
        }
        return new Feedback(id, labels);
    }

    private static long[] readLabels(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new ProtocolException(where + ": expected a list of class indices, found " + WireJson.describe(p));
        }
        long[] labels = new long[8];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                    || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new ProtocolException(where + "[" + n + "]: expected a class index (a whole number), found "
                        + WireJson.describe(p));
            }
            if (n == labels.length) {
                labels = Arrays.copyOf(labels, n * 2);
            }
            labels[n++] = p.getLongValue();
        }
        if (n == 0) {
            throw new ProtocolException(where + ": expected one label per sample, found none");
        }
        return Arrays.copyOf(labels, n);
    }
}
