package dev.nabla.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A strict pull reader over untrusted JSON (the file header and the graph inside it). Every problem, from
 * malformed syntax to a value of the wrong kind, becomes a {@link FileFormatException} naming the file, the part
 * being read and the position.
 *
 * <p>The parser is configured so that a hostile header cannot make it do unbounded work or allocation: duplicate
 * keys are refused (two values for one key would make the meaning depend on the reader), nesting depth, number
 * length, key length and document length are bounded, field names are not interned (String.intern), and the
 * non-standard forms Jackson can accept (comments, NaN, leading zeros, single quotes, unquoted control characters)
 * stay off.
 */
public final class JsonInput implements AutoCloseable {
    /** Deeper than either document needs (the header nests 3 levels, the graph 5). */
    public static final int MAX_DEPTH = 16;
    /** Longer than any integer or double the writer produces. */
    public static final int MAX_NUMBER_LENGTH = 64;
    /** Object keys are tensor names and attribute names. */
    public static final int MAX_NAME_LENGTH = 64 * 1024;

    private static final JsonFactory FACTORY = strictFactory(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .maxStringLength(SafeTensorsContainer.MAX_HEADER_BYTES)
            .maxDocumentLength(SafeTensorsContainer.MAX_HEADER_BYTES)
            .build());

    /**
     * Jackson held to RFC 8259 within {@code limits}: duplicate keys refused (two values for one key would make the
     * meaning depend on the reader), no source text in error locations, field names not interned (String.intern).
     * Jackson's non-standard forms (comments, NaN, leading zeros, single quotes) are off by default and stay off.
     * CANONICALIZE_FIELD_NAMES stays on: without it Jackson 2.x reads a byte range through a reader that ignores
     * the range's end; its symbol table is bounded by the document and refuses hash floods.
     */
    static JsonFactory strictFactory(StreamReadConstraints limits) {
        return JsonFactory.builder()
                .streamReadConstraints(limits)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .build();
    }

    private final Path file;
    private final String part;
    private final JsonParser parser;
    private final boolean bytes;

    private JsonInput(Path file, String part, JsonParser parser, boolean bytes) {
        this.file = file;
        this.part = part;
        this.parser = parser;
        this.bytes = bytes;
    }

    /** Reads UTF-8 JSON from {@code data[offset, offset + length)}; {@code part} names it in errors. */
    public static JsonInput of(Path file, String part, byte[] data, int offset, int length) {
        try {
            return new JsonInput(file, part, FACTORY.createParser(data, offset, length), true);
        } catch (IOException e) {
            throw new FileFormatException(file, part + " cannot be read as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads JSON from a string; {@code part} names it in errors. */
    public static JsonInput of(Path file, String part, String text) {
        try {
            return new JsonInput(file, part, FACTORY.createParser(text), false);
        } catch (IOException e) {
            throw new FileFormatException(file, part + " cannot be read as JSON: " + e.getMessage(), e);
        }
    }

    /** The factory writers use, so that reading and writing agree on the dialect. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /** The next token; syntax errors and exceeded limits are refused. */
    public JsonToken next() {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            throw error("is not valid JSON: " + e.getOriginalMessage() + " " + where(e.getLocation()), e);
        } catch (IOException e) {
            throw error("cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads the next token and refuses it unless it is {@code expected}; {@code what} says what was due. */
    public void expect(JsonToken expected, String what) {
        JsonToken t = next();
        if (t != expected) {
            throw mismatch(what);
        }
    }

    /** After {@link JsonToken#START_OBJECT}: the next key, or null at the end of the object. */
    public String nextKey(String what) {
        JsonToken t = next();
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        if (t != JsonToken.FIELD_NAME) {
            throw mismatch(what);
        }
        return text();
    }

    /** The next value, which must be a string. */
    public String string(String what) {
        expect(JsonToken.VALUE_STRING, what + " (a string)");
        return text();
    }

    /** The current token {@code t}, which must be an integer from {@code min} to {@code max}. */
    public long integerAt(JsonToken t, String what, long min, long max) {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw mismatch(what + " (an integer)");
        }
        long value;
        try {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw error("expected " + what + " from " + min + " to " + max + ", found " + text() + " "
                        + where(parser.currentTokenLocation()), null);
            }
            value = parser.getLongValue();
        } catch (IOException e) {
            throw error("is not valid JSON: " + e.getMessage(), e);
        }
        if (value < min || value > max) {
            throw error("expected " + what + " from " + min + " to " + max + ", found " + value + " "
                    + where(parser.currentTokenLocation()), null);
        }
        return value;
    }

    /** The current number token as a finite double. */
    public double realAt(String what) {
        double value;
        try {
            value = parser.getDoubleValue();
        } catch (IOException e) {
            throw error("is not valid JSON: " + e.getMessage(), e);
        }
        if (!Double.isFinite(value)) {
            throw error(what + " " + text() + " is out of the range of a double " + where(parser.currentTokenLocation()),
                    null);
        }
        return value;
    }

    /**
     * The text of the current token. A string or key holding half of a surrogate pair (possible only through a
     * {@code \\uD800}-style escape, since the bytes are strict UTF-8) is refused: it is not Unicode text.
     */
    public String text() {
        String text = rawText();
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
            int bad = unpairedSurrogate(text);
            if (bad >= 0) {
                throw error("has a lone surrogate escape \\u" + String.format(java.util.Locale.ROOT, "%04X",
                        (int) text.charAt(bad)) + " in a string " + where(parser.currentTokenLocation()), null);
            }
        }
        return text;
    }

    private String rawText() {
        try {
            return parser.getText();
        } catch (IOException e) {
            throw error("is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The index of the first surrogate char not part of a high-low pair, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Refuses anything but whitespace after the document's single value. */
    public void end() {
        JsonToken t = next();
        if (t != null) {
            throw error("has content after its end: found " + describe(t) + " " + where(parser.currentTokenLocation()),
                    null);
        }
    }

    /** "expected {what}, found {the current token} at byte N of the header". */
    public FileFormatException mismatch(String what) {
        JsonToken t = parser.currentToken();
        return error("expected " + what + ", found " + describe(t) + " " + where(parser.currentTokenLocation()), null);
    }

    /** A refusal naming this part: "{part}: {problem}" or "{part} {problem}" when the problem is a verb phrase. */
    public FileFormatException error(String problem, Throwable cause) {
        boolean phrase = problem.startsWith("is ") || problem.startsWith("has ") || problem.startsWith("cannot ")
                || problem.startsWith("needs ");
        return new FileFormatException(file, part + (phrase ? " " : ": ") + problem, cause);
    }

    private String describe(JsonToken t) {
        if (t == null) {
            return "the end of the " + part;
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case END_OBJECT -> "the end of an object";
            case START_ARRAY -> "a list";
            case END_ARRAY -> "the end of a list";
            case FIELD_NAME -> "key \"" + clip(rawText()) + "\"";
            case VALUE_STRING -> "string \"" + clip(rawText()) + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + clip(rawText());
            case VALUE_TRUE, VALUE_FALSE -> rawText();
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** Long strings are shortened in messages: a hostile file must not make error messages huge. */
    public static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private String where(JsonLocation location) {
        if (location == null) {
            return "";
        }
        long offset = bytes ? location.getByteOffset() : location.getCharOffset();
        return offset < 0 ? "" : "(at " + (bytes ? "byte " : "character ") + offset + " of the " + part + ")";
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException ignored) {
            // an in-memory source has nothing to release
        }
    }
}
