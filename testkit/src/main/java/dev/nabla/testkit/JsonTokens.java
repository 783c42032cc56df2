package dev.nabla.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON tokens of a text as {start, end} spans, and the span edits that the seeded fuzz mutators of checkpoints
 * ({@code CheckpointMutator}) and model files build their JSON mutations from.
 */
public final class JsonTokens {
    private static final Pattern TOKEN = Pattern.compile(
            "\"(?:[^\"\\\\]++|\\\\.)*+\"|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|[{}\\[\\]:,]|true|false|null");

    private JsonTokens() {
    }

    /** The tokens of {@code text} (strings, numbers, punctuation, literals) as {start, end} spans, in order. */
    public static List<int[]> tokens(String text) {
        List<int[]> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            tokens.add(new int[]{m.start(), m.end()});
        }
        return tokens;
    }

    /** {@code text} with the two non-overlapping spans {@code a} and {@code b} exchanged, in either order. */
    public static String swap(String text, int[] a, int[] b) {
        int[] first = a[0] < b[0] ? a : b;
        int[] second = a[0] < b[0] ? b : a;
        return text.substring(0, first[0]) + text.substring(second[0], second[1])
                + text.substring(first[1], second[0]) + text.substring(first[0], first[1]) + text.substring(second[1]);
    }

    /** A random token whose first character is one of {@code firstChars}, or null after 200 misses. */
    public static int[] pick(Random random, List<int[]> tokens, String text, String firstChars) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int[] t = tokens.get(random.nextInt(tokens.size()));
            if (firstChars.indexOf(text.charAt(t[0])) >= 0) {
                return t;
            }
        }
        return null;
    }
}
