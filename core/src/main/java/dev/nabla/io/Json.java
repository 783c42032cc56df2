package dev.nabla.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON for file metadata and reports: a strict reader over Jackson's streaming parser and a small
 * writer. Objects read as {@code LinkedHashMap<String, Object>}, arrays as {@code List<Object>},
 * numbers as {@code Long} when integral and otherwise {@code Double}.
 */
public final class Json {
    private Json() {
    }

    /** Thrown for malformed JSON; the message gives the character position. */
    public static final class ParseException extends IllegalArgumentException {
        ParseException(String message) {
            super(message);
        }
    }

    /** Parses strict JSON (RFC 8259: no comments, NaN, leading zeros or '+', duplicate keys or lone surrogates). */
    public static Object parse(String text) {
        return TreeReader.read(text);
    }

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** Indented output for files people read. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value, int indent, int depth) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            quote(sb, s);
        } else if (value instanceof Boolean b) {
            sb.append(b);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                sb.append("null"); // JSON has no NaN or infinity
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                sb.append(String.format(Locale.ROOT, "%.1f", d));
            } else {
                sb.append(d);
            }
        } else if (value instanceof Number n) {
            sb.append(n.longValue());
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (var e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, indent, depth + 1);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(indent >= 0 ? ": " : ":");
                write(sb, e.getValue(), indent, depth + 1);
            }
            if (!map.isEmpty()) {
                newline(sb, indent, depth);
            }
            sb.append('}');
        } else if (value instanceof Iterable<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    sb.append(indent >= 0 ? ", " : ",");
                }
                first = false;
                write(sb, item, indent, depth + 1);
            }
            sb.append(']');
        } else if (value instanceof double[] array) {
            List<Object> boxed = new ArrayList<>();
            for (double d : array) {
                boxed.add(d);
            }
            write(sb, boxed, indent, depth);
        } else if (value instanceof long[] array) {
            List<Object> boxed = new ArrayList<>();
            for (long l : array) {
                boxed.add(l);
            }
            write(sb, boxed, indent, depth);
        } else if (value instanceof int[] array) {
            List<Object> boxed = new ArrayList<>();
            for (int i : array) {
                boxed.add((long) i);
            }
            write(sb, boxed, indent, depth);
        } else {
            throw new IllegalArgumentException("Json.write: cannot write a " + value.getClass().getName());
        }
    }

    private static void newline(StringBuilder sb, int indent, int depth) {
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Builds the value tree with Jackson's strict streaming parser (limits: depth 64, Jackson's defaults). */
    private static final class TreeReader {
        private static final JsonFactory FACTORY = JsonInput.strictFactory(
                StreamReadConstraints.builder().maxNestingDepth(64).build());

        static Object read(String text) {
            try (JsonParser p = FACTORY.createParser(text)) {
                JsonToken first = p.nextToken();
                if (first == null) {
                    throw new ParseException("invalid JSON: no value");
                }
                Object value = value(p, first);
                JsonToken after = p.nextToken();
                if (after != null) {
                    throw new ParseException("invalid JSON at character " + p.currentTokenLocation().getCharOffset()
                            + ": unexpected trailing " + after);
                }
                return value;
            } catch (JsonProcessingException e) {
                long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
                throw new ParseException("invalid JSON" + (at >= 0 ? " at character " + at : "") + ": "
                        + e.getOriginalMessage());
            } catch (IOException e) {
                throw new ParseException("invalid JSON: " + e.getMessage());
            }
        }

        private static Object value(JsonParser p, JsonToken t) throws IOException {
            return switch (t) {
                case START_OBJECT -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                        String key = string(p);
                        map.put(key, value(p, p.nextToken()));
                    }
                    yield map;
                }
                case START_ARRAY -> {
                    List<Object> list = new ArrayList<>();
                    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                        list.add(value(p, v));
                    }
                    yield list;
                }
                case VALUE_STRING -> string(p);
                case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getDoubleValue() : (Object) p.getLongValue();
                case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> null;
                default -> throw new ParseException("invalid JSON: unexpected " + t);
            };
        }

        /** A string or key; half a surrogate pair (from a \\uD800-style escape) is not text and is refused. */
        private static String string(JsonParser p) throws IOException {
            String s = p.getText();
            int bad = JsonInput.unpairedSurrogate(s);
            if (bad >= 0) {
                throw new ParseException("invalid JSON at character " + p.currentTokenLocation().getCharOffset()
                        + ": a lone surrogate escape in a string");
            }
            return s;
        }
    }
}
