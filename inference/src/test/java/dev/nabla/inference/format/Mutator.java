package dev.nabla.inference.format;

import dev.nabla.testkit.ByteDamage;
import dev.nabla.testkit.JsonTokens;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of a valid model file, in three families:
 * <ul>
 *   <li>{@link Family#RAW}: bytes anywhere (bit flips, random bytes, truncation, insertion, deletion, duplicated
 *       runs, a damaged length prefix), nothing repaired;</li>
 *   <li>{@link Family#HEADER}: the header's JSON text (digits, tokens deleted, duplicated or swapped, strings and
 *       numbers replaced, dtype codes swapped, stray characters), then re-padded with a correct length prefix so
 *       that the parser gets past it;</li>
 *   <li>{@link Family#GRAPH}: the graph's JSON text (the same, plus op, dtype, role and kind names swapped and
 *       shapes changed), then resealed: graph checksum, header length and padding recomputed, so that mutants
 *       reach the graph checks and the dry run.</li>
 * </ul>
 */
final class Mutator {
    enum Family { RAW, HEADER, GRAPH }

    /** A mutated file and what was done to it, for failure reports. */
    record Mutant(Family family, byte[] bytes, String description) {
    }

    private static final String[] NUMBERS = {"0", "-1", "1", "2", "3", "7", "64", "255", "65536", "2147483647",
            "2147483648", "-2147483648", "-2147483647", "4294967296", "9223372036854775807", "9223372036854775808",
            "-9223372036854775809", "1e3", "3.5", "-0", "0.0", "1E400", "01", "100000000"};
    private static final String[] SAFETENSORS_DTYPES = {"F32", "F64", "I64", "I32", "BOOL", "F16", "BF16", "U8", "I8",
            "f32", ""};
    private static final String[] OPS = {"relu", "sigmoid", "tanh", "neg", "exp", "abs", "add", "sub", "mul", "div",
            "maximum", "matmul", "reshape", "permute", "expand", "conv2d", "max_pool2d", "sum", "mean", "max", "cast",
            "contiguous", "cat", "pad", "slice", "where", "gather", "unfold", "fold", "leaky_relu", "logical_not",
            "index_select", "conv2d_backward_data", "max_pool2d_backward", "relu6", ""};
    private static final String[] DTYPES = {"f32", "f64", "i64", "i32", "bool", "f16", "F32"};
    private static final String[] WORDS = {"input", "constant", "call", "parameter", "buffer", "kind", "name", "type",
            "scope", "role", "op", "attributes", "inputs", "outputs", "nodes", "shape", "dtype", "path",
            "__metadata__", "format", "format_version", "graph", "data_crc32c", "graph_crc32c", "data_offsets"};

    private final Random random;

    Mutator(long seed) {
        random = new Random(seed);
    }

    Mutant mutate(byte[] file, Family family) {
        return switch (family) {
            case RAW -> raw(file);
            case HEADER -> header(file);
            case GRAPH -> graph(file);
        };
    }

    // ------------------------------------------------------------------ raw bytes

    private Mutant raw(byte[] file) {
        ByteDamage.Damaged d = ByteDamage.any(file, FileSurgery.dataStart(file), random);
        return new Mutant(Family.RAW, d.bytes(), d.description());
    }

    // ------------------------------------------------------------------ JSON text

    private Mutant header(byte[] file) {
        String text = FileSurgery.headerText(file).stripTrailing();
        // Most of the header is the graph string; aim most edits elsewhere (the graph has its own family).
        int graphStart = text.indexOf("\"graph\":\"") + 8;
        int graphEnd = graphStart;
        for (int[] t : JsonTokens.tokens(text)) {
            if (t[0] == graphStart) {
                graphEnd = t[1];
            }
        }
        Edit edit = edit(text, SAFETENSORS_DTYPES, graphStart, graphEnd);
        return new Mutant(Family.HEADER, FileSurgery.assemble(edit.text, FileSurgery.data(file)), edit.description);
    }

    private Mutant graph(byte[] file) {
        String text = FileSurgery.graph(file);
        Edit edit = random.nextInt(5) == 0 ? shape(text) : edit(text, null, -1, -1);
        return new Mutant(Family.GRAPH, FileSurgery.withGraph(file, edit.text), edit.description);
    }

    private record Edit(String text, String description) {
    }

    /** One edit of JSON {@code text}; character edits avoid [avoidStart, avoidEnd) three times out of four. */
    private Edit edit(String text, String[] dtypes, int avoidStart, int avoidEnd) {
        List<int[]> tokens = JsonTokens.tokens(text);
        int[] t = tokens.get(random.nextInt(tokens.size()));
        String token = text.substring(t[0], t[1]);
        switch (random.nextInt(10)) {
            case 0 -> {
                int at = charPosition(text, avoidStart, avoidEnd, true);
                if (at < 0) {
                    return edit(text, dtypes, avoidStart, avoidEnd);
                }
                return replace(text, at, at + 1, Character.toString('0' + random.nextInt(10)), "digit at " + at);
            }
            case 1 -> {
                return replace(text, t[0], t[1], "", "token " + token + " deleted");
            }
            case 2 -> {
                return replace(text, t[0], t[0], token, "token " + token + " duplicated");
            }
            case 3 -> {
                int[] u = tokens.get(random.nextInt(tokens.size()));
                if (u[0] == t[0]) {
                    return edit(text, dtypes, avoidStart, avoidEnd);
                }
                return new Edit(JsonTokens.swap(text, t, u), "tokens " + text.substring(t[0], t[1]) + " and "
                        + text.substring(u[0], u[1]) + " swapped");
            }
            case 4 -> {
                int[] n = JsonTokens.pick(random, tokens, text, "-0123456789");
                return n == null ? edit(text, dtypes, avoidStart, avoidEnd)
                        : replace(text, n[0], n[1], NUMBERS[random.nextInt(NUMBERS.length)], "number at " + n[0]);
            }
            case 5 -> {
                int[] s = JsonTokens.pick(random, tokens, text, "\"");
                int[] other = JsonTokens.pick(random, tokens, text, "\"");
                return s == null ? edit(text, dtypes, avoidStart, avoidEnd)
                        : replace(text, s[0], s[1], text.substring(other[0], other[1]), "string at " + s[0]
                        + " replaced by " + text.substring(other[0], other[1]));
            }
            case 6 -> {
                String[] names = dtypes != null ? dtypes : random.nextBoolean() ? OPS : random.nextBoolean() ? DTYPES
                        : WORDS;
                int[] s = JsonTokens.pick(random, tokens, text, "\"");
                String name = '"' + names[random.nextInt(names.length)] + '"';
                return s == null ? edit(text, dtypes, avoidStart, avoidEnd)
                        : replace(text, s[0], s[1], name, "string at " + s[0] + " replaced by " + name);
            }
            case 7 -> {
                int at = charPosition(text, avoidStart, avoidEnd, false);
                String chars = "{}[],:\"\\ 0-.e";
                String c = Character.toString(chars.charAt(random.nextInt(chars.length())));
                return replace(text, at, at, c, "'" + c + "' inserted at " + at);
            }
            case 8 -> {
                int at = charPosition(text, avoidStart, avoidEnd, false);
                String c = Character.toString(32 + random.nextInt(95));
                return replace(text, at, at + 1, c, "character at " + at + " replaced by '" + c + "'");
            }
            default -> {
                // a run of tokens deleted: whole fields or nodes go missing
                int[] end = tokens.get(Math.min(tokens.size() - 1, tokens.indexOf(t) + 1 + random.nextInt(12)));
                return replace(text, t[0], end[1], "", "tokens from " + t[0] + " to " + end[1] + " deleted");
            }
        }
    }

    /** A random position; {@code digit}: a digit's position (or -1 if there is none). */
    private int charPosition(String text, int avoidStart, int avoidEnd, boolean digit) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int at = random.nextInt(text.length());
            boolean avoided = at >= avoidStart && at < avoidEnd;
            if (avoided && random.nextInt(4) != 0) {
                continue;
            }
            if (!digit || Character.isDigit(text.charAt(at))) {
                return at;
            }
        }
        return digit ? -1 : random.nextInt(text.length());
    }

    /** A "shape": [...] list with one dimension changed, added or removed. */
    private Edit shape(String text) {
        List<Integer> starts = new ArrayList<>();
        for (int at = text.indexOf("\"shape\":["); at >= 0; at = text.indexOf("\"shape\":[", at + 1)) {
            starts.add(at + 9);
        }
        int start = starts.get(random.nextInt(starts.size()));
        int end = text.indexOf(']', start);
        List<Long> dims = new ArrayList<>();
        for (String s : text.substring(start, end).split(",")) {
            if (!s.isEmpty()) {
                dims.add(Long.parseLong(s));
            }
        }
        int i = dims.isEmpty() ? 0 : random.nextInt(dims.size());
        switch (random.nextInt(6)) {
            case 0 -> dims.add(i, (long) random.nextInt(5) - 1);
            case 1 -> {
                if (!dims.isEmpty()) {
                    dims.remove(i);
                }
            }
            case 2 -> {
                if (!dims.isEmpty()) {
                    dims.set(i, -dims.get(i));
                }
            }
            case 3 -> {
                if (!dims.isEmpty()) {
                    dims.set(i, dims.get(i) * 2);
                }
            }
            case 4 -> {
                if (!dims.isEmpty()) {
                    dims.set(i, dims.get(i) + (random.nextBoolean() ? 1 : -1));
                }
            }
            default -> {
                if (!dims.isEmpty()) {
                    dims.set(i, (long) (random.nextBoolean() ? 100_000 : -50_000) * (1 + random.nextInt(1000)));
                }
            }
        }
        StringBuilder list = new StringBuilder();
        for (long d : dims) {
            list.append(list.isEmpty() ? "" : ",").append(d);
        }
        return replace(text, start, end, list.toString(), "shape at " + start + " -> [" + list + "]");
    }

    private static Edit replace(String text, int from, int to, String replacement, String description) {
        return new Edit(text.substring(0, from) + replacement + text.substring(to), description);
    }
}
