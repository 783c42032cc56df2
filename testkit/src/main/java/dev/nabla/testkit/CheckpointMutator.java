package dev.nabla.testkit;

import dev.nabla.Tensor;
import dev.nabla.io.Json;
import dev.nabla.io.SafeTensors;
import dev.nabla.io.SafeTensorsContainer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Seeded mutations of one valid checkpoint file, for {@link CheckpointFuzzSuite}, in four families:
 * <ul>
 *   <li>{@link Family#RAW}: bytes anywhere (bit flips, random bytes, truncation, insertion, deletion, duplicated
 *       runs, a damaged length prefix), nothing repaired;</li>
 *   <li>{@link Family#HEADER}: the header's JSON text (tokens deleted, duplicated or swapped, boundary numbers,
 *       strings and dtype codes replaced, state-dict keys renamed, two tensors' names swapped), re-padded behind a
 *       correct length prefix; data and data checksum untouched;</li>
 *   <li>{@link Family#METADATA}: one metadata value replaced, removed or added (epoch count, data seed, generator
 *       state, scheduler and history JSON, format, version) and the file written anew by {@link SafeTensors}, so
 *       that only the checkpoint's own checks stand between the value and the objects;</li>
 *   <li>{@link Family#DATA}: tensor bytes changed (bit flips, special values such as NaN or a negative step count)
 *       and the data checksum recomputed, so that a changed number reaches the loaders.</li>
 * </ul>
 * Each mutant comes from its own {@link Random} seeded by (seed, index), so one mutant is reproduced alone.
 */
final class CheckpointMutator {
    enum Family {
        RAW, HEADER, METADATA, DATA;

        /**
         * Whether the mutant is a consistent file (METADATA is written by SafeTensors, DATA gets a matching checksum):
         * loading it may then legitimately give other values than the original's.
         */
        boolean resealed() {
            return this == METADATA || this == DATA;
        }
    }

    /** A mutated file and what was done to it, for failure reports. */
    record Mutant(Family family, byte[] bytes, String description) {
    }

    /** Boundary numbers for JSON text: signs, int and long edges, leading zeros, exponents. */
    private static final String[] NUMBERS = {"0", "-1", "1", "2", "3", "7", "255", "65536", "2147483647",
            "2147483648", "-2147483648", "4294967296", "4294967297", "9223372036854775807", "9223372036854775808",
            "-9223372036854775809", "1e3", "1e30", "3.5", "-0", "0.0", "1E400", "01", "9007199254740993"};
    /** Texts for the integer metadata values (epochs_done, data_seed, rng_state). */
    private static final String[] INTEGER_TEXTS = {"-1", "0", "1", "2", "3", "7", "2147483647", "2147483648",
            "-2147483648", "4294967297", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e30",
            "01", "+2", "2.0", " 2", "2 ", "", "two", "0x2", "null", "\u0662"};
    private static final String[] SCHEDULER_STATES = {"{\"last_step\":-5}", "{\"last_step\":1e30}",
            "{\"last_step\":-1}", "{\"last_step\":0}", "{\"last_step\":1}", "{\"last_step\":3}", "{\"last_step\":2.5}",
            "{\"last_step\":9007199254740992}", "{\"last_step\":9007199254740993}", "{\"last_step\":null}",
            "{\"last_step\":\"2\"}", "{\"last_step\":true}", "{}", "{\"last_step\":2,\"best\":0}", "[]", "2", "null",
            "", "{\"last_step\":2,\"last_step\":2}", "{\"last_step\":1e308}", "{\"last_step\":-0.0}",
            "{\"last_step\":2}", "{\"last_step\":2147483648}", "{\"step\":2}"};
    private static final String[] FORMAT_TEXTS = {"", "nabla-checkpoint", "nabla-checkpointX", "1", "2", "0", "01",
            "1.0", "safetensors", "Nabla-Checkpoint"};
    private static final String[] DTYPES = {"F32", "F64", "I64", "I32", "I8", "BOOL", "F16", "BF16", "U8", "f32", ""};
    private static final String[] INDEXES = {"-1", "x", "2147483648", "4294967296", "01", "00", "+1", "1.5", "6",
            "99", "", " 0", "0x0"};
    private static final String[] NAMES = {"exp_avg", "exp_avg_sq", "step", "momentum", "momentum_buffer", "lr",
            "beta1", "beta2", "eps", "weight_decay", "max_exp_avg_sq", "weight", "bias", "running_mean", "running_var",
            "num_batches_tracked", "", "exp_avgX"};
    private static final String[] WORDS = {"__metadata__", "dtype", "shape", "data_offsets", "data_crc32c",
            "epochs_done", "data_seed", "rng_state", "scheduler", "history", "format", "version", "last_step", "epochs",
            "model.0.weight", "optimizer.state.0.step", "optimizer.group.0.lr"};

    private final long seed;
    private final byte[] original;
    private final SafeTensors.Content content;
    private final int dataStart;
    private final Map<String, Long> dataBegin = new TreeMap<>();

    /** Mutations of {@code original}, whose parsed form is {@code content}. */
    CheckpointMutator(long seed, byte[] original, SafeTensors.Content content) {
        this.seed = seed;
        this.original = original.clone();
        this.content = content;
        this.dataStart = dataStart(original);
        if (Json.parse(headerText(original).strip()) instanceof Map<?, ?> header) {
            header.forEach((name, entry) -> {
                if (entry instanceof Map<?, ?> e && e.get("data_offsets") instanceof List<?> offsets) {
                    dataBegin.put((String) name, ((Number) offsets.get(0)).longValue());
                }
            });
        }
    }

    /** Mutant number {@code index} of {@code family}; the same seed, index and family give the same mutant. */
    Mutant mutant(int index, Family family) {
        Random random = new Random(seed ^ (index * 0x9E3779B97F4A7C15L));
        return switch (family) {
            case RAW -> raw(random);
            case HEADER -> header(random);
            case METADATA -> metadata(random);
            case DATA -> data(random);
        };
    }

    // ------------------------------------------------------------------ raw bytes

    private Mutant raw(Random random) {
        ByteDamage.Damaged d = ByteDamage.any(original, dataStart, random);
        return new Mutant(Family.RAW, d.bytes(), d.description());
    }

    // ------------------------------------------------------------------ header text

    private Mutant header(Random random) {
        String text = headerText(original).stripTrailing();
        Edit edit = switch (random.nextInt(4)) {
            case 0 -> renameKey(random, text);
            case 1 -> swapTensorNames(random, text);
            default -> edit(random, text);
        };
        return new Mutant(Family.HEADER, assemble(edit.text, data(original)), edit.description);
    }

    private record Edit(String text, String description) {
    }

    /** One tensor's name changed the way a damaged or foreign state dict names things. */
    private Edit renameKey(Random random, String text) {
        List<int[]> keys = tensorKeys(text);
        int[] k = keys.get(random.nextInt(keys.size()));
        String name = text.substring(k[0] + 1, k[1] - 1);
        String renamed = renamed(random, name);
        return replace(text, k[0], k[1], '"' + renamed + '"', "tensor " + name + " renamed " + renamed);
    }

    private static String renamed(Random random, String name) {
        String[] parts = name.split("\\.", -1);
        switch (random.nextInt(6)) {
            case 0 -> {
                return name + "X";
            }
            case 1 -> {
                // the first numeric segment: a module index, a parameter index or a group index
                for (int i = 0; i < parts.length; i++) {
                    if (parts[i].matches("\\d+")) {
                        parts[i] = INDEXES[random.nextInt(INDEXES.length)];
                        return String.join(".", parts);
                    }
                }
                return name + ".0";
            }
            case 2 -> {
                parts[parts.length - 1] = NAMES[random.nextInt(NAMES.length)];
                return String.join(".", parts);
            }
            case 3 -> {
                return name.startsWith("model.") ? "optimizer." + name.substring(6)
                        : random.nextBoolean() ? "model." + name.substring(name.indexOf('.') + 1)
                        : name.substring(name.indexOf('.') + 1);
            }
            case 4 -> {
                return name.contains(".state.") ? name.replace(".state.", ".group.")
                        : name.contains(".group.") ? name.replace(".group.", ".state.") : name.replace("model.", "model.state.");
            }
            default -> {
                return random.nextBoolean() ? name + ".extra" : name.substring(0, name.lastIndexOf('.'));
            }
        }
    }

    /** Two tensors' names exchanged: same dtype and shape load as each other's values unless something notices. */
    private Edit swapTensorNames(Random random, String text) {
        List<int[]> keys = tensorKeys(text);
        int[] a = keys.get(random.nextInt(keys.size()));
        int[] b = keys.get(random.nextInt(keys.size()));
        if (a[0] == b[0]) {
            return edit(random, text);
        }
        return new Edit(JsonTokens.swap(text, a, b), "tensor names " + text.substring(a[0], a[1]) + " and "
                + text.substring(b[0], b[1]) + " swapped");
    }

    /** Positions of the tensor names: string tokens followed by ':{', other than __metadata__. */
    private static List<int[]> tensorKeys(String text) {
        List<int[]> keys = new ArrayList<>();
        for (int[] t : JsonTokens.tokens(text)) {
            if (text.charAt(t[0]) == '"' && text.startsWith(":{", t[1])
                    && !text.startsWith("\"__metadata__\"", t[0])) {
                keys.add(t);
            }
        }
        return keys;
    }

    /** One edit of JSON {@code text}: a digit, a token deleted, duplicated or swapped, a number or string replaced. */
    private static Edit edit(Random random, String text) {
        List<int[]> tokens = JsonTokens.tokens(text);
        int[] t = tokens.get(random.nextInt(tokens.size()));
        String token = text.substring(t[0], t[1]);
        switch (random.nextInt(10)) {
            case 0 -> {
                int at = digitPosition(random, text);
                String digit = Character.toString('0' + random.nextInt(10));
                return at < 0 ? edit(random, text)
                        : replace(text, at, at + 1, digit, "digit at " + at + " set to " + digit + " in " + near(text, at));
            }
            case 1 -> {
                return replace(text, t[0], t[1], "", "token " + token + " at " + t[0] + " deleted");
            }
            case 2 -> {
                return replace(text, t[0], t[0], token, "token " + token + " at " + t[0] + " duplicated");
            }
            case 3 -> {
                int[] u = tokens.get(random.nextInt(tokens.size()));
                if (u[0] == t[0]) {
                    return edit(random, text);
                }
                return new Edit(JsonTokens.swap(text, t, u), "tokens " + text.substring(t[0], t[1]) + " and "
                        + text.substring(u[0], u[1]) + " swapped");
            }
            case 4, 5 -> {
                int[] n = JsonTokens.pick(random, tokens, text, "-0123456789");
                String number = NUMBERS[random.nextInt(NUMBERS.length)];
                return n == null ? edit(random, text) : replace(text, n[0], n[1], number, "number "
                        + text.substring(n[0], n[1]) + " at " + n[0] + " replaced by " + number);
            }
            case 6 -> {
                int[] s = JsonTokens.pick(random, tokens, text, "\"");
                int[] other = JsonTokens.pick(random, tokens, text, "\"");
                if (s == null) {
                    return edit(random, text);
                }
                String by = text.substring(other[0], other[1]);
                return replace(text, s[0], s[1], by, "string " + clip(text.substring(s[0], s[1])) + " at " + s[0]
                        + " replaced by " + clip(by));
            }
            case 7 -> {
                int[] s = JsonTokens.pick(random, tokens, text, "\"");
                String[] names = random.nextBoolean() ? DTYPES : WORDS;
                String name = '"' + names[random.nextInt(names.length)] + '"';
                return s == null ? edit(random, text)
                        : replace(text, s[0], s[1], name, "string " + clip(text.substring(s[0], s[1])) + " replaced by " + name);
            }
            case 8 -> {
                int at = random.nextInt(text.length());
                String chars = "{}[],:\"\\ 0-.e";
                String c = Character.toString(chars.charAt(random.nextInt(chars.length())));
                return replace(text, at, at, c, "'" + c + "' inserted at " + at + " in " + near(text, at));
            }
            default -> {
                // a run of tokens deleted: whole entries go missing
                int[] end = tokens.get(Math.min(tokens.size() - 1, tokens.indexOf(t) + 1 + random.nextInt(12)));
                return replace(text, t[0], end[1], "", "tokens from " + t[0] + " to " + end[1] + " deleted");
            }
        }
    }

    private static int digitPosition(Random random, String text) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int at = random.nextInt(text.length());
            if (Character.isDigit(text.charAt(at))) {
                return at;
            }
        }
        return -1;
    }

    private static Edit replace(String text, int from, int to, String replacement, String description) {
        return new Edit(text.substring(0, from) + replacement + text.substring(to), description);
    }

    /** The text around {@code at}, to show where an edit landed. */
    private static String near(String text, int at) {
        return '`' + text.substring(Math.max(0, at - 12), Math.min(text.length(), at + 12)).replace("\n", "\\n") + '`';
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    // ------------------------------------------------------------------ metadata values

    private Mutant metadata(Random random) {
        Map<String, String> meta = new TreeMap<>(content.metadata());
        List<String> keys = new ArrayList<>(meta.keySet());
        String description;
        switch (random.nextInt(10)) {
            case 0, 1 -> {
                String key = new String[]{"epochs_done", "data_seed", "rng_state"}[random.nextInt(3)];
                String value = INTEGER_TEXTS[random.nextInt(INTEGER_TEXTS.length)];
                meta.put(key, value);
                description = key + " = \"" + value + "\"";
            }
            case 2 -> {
                String value = SCHEDULER_STATES[random.nextInt(SCHEDULER_STATES.length)];
                meta.put("scheduler", value);
                description = "scheduler = " + value;
            }
            case 3 -> {
                Edit edit = edit(random, meta.get("scheduler"));
                meta.put("scheduler", edit.text);
                description = "scheduler JSON: " + edit.description + " -> " + clip(edit.text);
            }
            case 4 -> {
                Edit edit = edit(random, meta.get("history"));
                meta.put("history", edit.text);
                description = "history JSON: " + edit.description;
            }
            case 5 -> description = shortenHistory(random, meta);
            case 6 -> {
                String key = random.nextBoolean() ? "format" : "version";
                String value = FORMAT_TEXTS[random.nextInt(FORMAT_TEXTS.length)];
                meta.put(key, value);
                description = key + " = \"" + value + "\"";
            }
            case 7 -> {
                String key = keys.get(random.nextInt(keys.size()));
                meta.remove(key);
                description = key + " removed";
            }
            case 8 -> {
                String key = new String[]{"extra", "Scheduler", "history ", "", "optimizer", "model.0.weight"}[random.nextInt(6)];
                meta.put(key, "1");
                description = "metadata \"" + key + "\" = \"1\" added";
            }
            default -> {
                String key = keys.get(random.nextInt(keys.size()));
                String from = keys.get(random.nextInt(keys.size()));
                meta.put(key, content.metadata().get(from));
                description = key + " = the value of " + from;
            }
        }
        return new Mutant(Family.METADATA, SafeTensors.toBytes(content.tensors(), meta), description);
    }

    /**
     * The history cut to its first epochs or given one more (the last repeated) and, half the time, epochs_done set
     * to match: a consistent checkpoint of another length.
     */
    @SuppressWarnings("unchecked")
    private static String shortenHistory(Random random, Map<String, String> meta) {
        Map<String, Object> history = (Map<String, Object>) Json.parse(meta.get("history"));
        List<Object> epochs = (List<Object>) history.get("epochs");
        int n = random.nextInt(epochs.size() + 2);
        List<Object> kept = new ArrayList<>(epochs.subList(0, Math.min(n, epochs.size())));
        if (n > epochs.size()) {
            kept.add(epochs.get(epochs.size() - 1));
        }
        history.put("epochs", kept);
        meta.put("history", Json.writePretty(history));
        boolean match = random.nextBoolean();
        if (match) {
            meta.put("epochs_done", Integer.toString(kept.size()));
        }
        return "history cut to " + kept.size() + " epoch(s)" + (match ? ", epochs_done to match" : "");
    }

    // ------------------------------------------------------------------ tensor data

    private Mutant data(Random random) {
        byte[] data = data(original);
        String description;
        switch (random.nextInt(3)) {
            case 0 -> {
                int flips = 1 + random.nextInt(3);
                StringBuilder where = new StringBuilder("data bit flips at");
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(data.length);
                    data[at] ^= (byte) (1 << random.nextInt(8));
                    where.append(' ').append(at);
                }
                description = where.toString();
            }
            case 1 -> {
                int at = random.nextInt(data.length);
                data[at] = (byte) random.nextInt(256);
                description = "data byte " + at + " set to " + (data[at] & 0xff);
            }
            default -> description = specialValue(random, data);
        }
        return new Mutant(Family.DATA, withDataCrc(assembleRaw(headerBytes(original), data)), description
                + " (checksum recomputed)");
    }

    /** One element of one tensor set to a value at the edge of its dtype. */
    private String specialValue(Random random, byte[] data) {
        List<String> names = new ArrayList<>(content.tensors().keySet());
        String name = names.get(random.nextInt(names.size()));
        Tensor t = content.tensors().get(name);
        long begin = dataBegin.get(name);
        int element = random.nextInt(Math.max(1, t.numel()));
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) begin + element * t.dtype().byteSize();
        String value;
        switch (t.dtype()) {
            case FLOAT32 -> {
                float v = new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f,
                        Float.MAX_VALUE, Float.MIN_VALUE, 1e30f, -1f, 0f}[random.nextInt(9)];
                b.putFloat(at, v);
                value = Float.toString(v);
            }
            case FLOAT64 -> {
                double v = new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                        Double.MAX_VALUE, Double.MIN_VALUE, 1e30, -1, 0, 1, 0.5}[random.nextInt(11)];
                b.putDouble(at, v);
                value = Double.toString(v);
            }
            case INT64 -> {
                long v = new long[]{0, 1, -1, 2, Long.MIN_VALUE, Long.MAX_VALUE, (1L << 53) + 1, 1L << 31,
                        Integer.MAX_VALUE}[random.nextInt(9)];
                b.putLong(at, v);
                value = Long.toString(v);
            }
            default -> {
                data[at] ^= 1;
                value = "a flipped bit";
            }
        }
        return name + "[" + element + "] = " + value;
    }

    // ------------------------------------------------------------------ file layout

    static int dataStart(byte[] file) {
        return 8 + (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] headerBytes(byte[] file) {
        return Arrays.copyOfRange(file, 8, dataStart(file));
    }

    /** The header text, padding included. */
    static String headerText(byte[] file) {
        return new String(headerBytes(file), StandardCharsets.UTF_8);
    }

    static byte[] data(byte[] file) {
        return Arrays.copyOfRange(file, dataStart(file), file.length);
    }

    /** A file of {@code header}, padded with spaces so the data starts 8-byte aligned (as Nabla writes), and {@code data}. */
    static byte[] assemble(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[(8 + json.length + 7) / 8 * 8 - 8];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(json, 0, padded, 0, json.length);
        return assembleRaw(padded, data);
    }

    private static byte[] assembleRaw(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length);
        b.put(header);
        b.put(data);
        return b.array();
    }

    /** The file with its data_crc32c (8 hex digits, same length) replaced by the data section's checksum. */
    static byte[] withDataCrc(byte[] file) {
        CRC32C crc = new CRC32C();
        int start = dataStart(file);
        crc.update(file, start, file.length - start);
        String text = headerText(file);
        String key = "\"data_crc32c\":\"";
        int at = text.indexOf(key);
        if (at < 0) {
            throw new IllegalStateException("the checkpoint has no " + key);
        }
        byte[] out = file.clone();
        byte[] hex = String.format("%08x", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, out, 8 + at + key.length(), 8);
        return resealHeader(out);
    }

    /** The file with its header_crc32c recomputed over the (changed) header, as the writer computes it. */
    static byte[] resealHeader(byte[] file) {
        String text = headerText(file);
        String key = "\"header_crc32c\":\"";
        int at = text.indexOf(key);
        if (at < 0) {
            throw new IllegalStateException("the checkpoint has no " + key);
        }
        byte[] out = file.clone();
        System.arraycopy("00000000".getBytes(StandardCharsets.US_ASCII), 0, out, 8 + at + key.length(), 8);
        return SafeTensorsContainer.sealHeader(out);
    }
}
