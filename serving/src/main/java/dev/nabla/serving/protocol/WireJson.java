package dev.nabla.serving.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.regex.Pattern;

/**
 * The JSON settings every request and response shares: strict JSON (no duplicate keys, no NaN, no comments), bounded
 * nesting, and Jackson's correctly rounded fast number parser, which the tensors' thousands of numbers need.
 */
public final class WireJson {
    /** Deeper than any tensor a model here takes (rank is bounded separately), shallow enough to stay cheap. */
    static final int MAX_NESTING = 64;

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    /** Trees for the small documents (metadata, feedback, errors), on the same strict factory. */
    public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private WireJson() {
    }

    /** A parse failure as the client should read it: what was wrong and where. */
    public static ProtocolException malformed(JacksonException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 0 ? ""
                : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new ProtocolException("malformed JSON" + where + ": " + SOURCE.matcher(e.getOriginalMessage())
                .replaceAll("line $1, column $2"));
    }

    /** How Jackson cites a location inside a message, without the source it does not show. */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)]");

    /** The current token in words, for "expected ..., found ..." messages. */
    static String describe(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "the end of the document";
        }
        try {
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
                case VALUE_TRUE -> "true";
                case VALUE_FALSE -> "false";
                case VALUE_NULL -> "null";
                default -> t.asString() == null ? t.name() : t.asString();
            };
        } catch (java.io.IOException e) {
            return t.name();
        }
    }
}
