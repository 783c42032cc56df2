package dev.nabla.testkit;

import dev.nabla.io.Json;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The safetensors format: round trips of every dtype and shape, the exact byte layout of the spec
 * (checked by parsing the bytes here), files built by hand as
 * Python's {@code safetensors} writes them, refusal of every kind of damage with a
 * {@link FileFormatException} naming the file, and atomic writes.
 */
public abstract class SafeTensorsSuite extends BackendTestBase {
    @TempDir
    Path dir;

    /** One tensor of each dtype and several shapes, with special values. */
    static Map<String, Tensor> sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("layer.0.weight", Tensor.of(new float[]{1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE,
                -3.25e30f}, 2, 3));
        t.put("f64", Tensor.of(new double[]{Math.PI, -0.0, 1e-300, Double.MAX_VALUE, Double.NEGATIVE_INFINITY}));
        t.put("i64", Tensor.of(new long[]{Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2));
        t.put("i32", Tensor.of(new int[]{Integer.MIN_VALUE, 7, Integer.MAX_VALUE}));
        t.put("i8", Tensor.of(new byte[]{-128, -1, 0, 5, 127, 42}, 2, 3));
        t.put("bf16", Tensor.ofHalfBits(DType.BFLOAT16, new short[]{0x3F80, (short) 0x8000, 0x7FC1, 0x7F80, 0x0001}, 5));
        t.put("f16", Tensor.ofHalfBits(DType.FLOAT16, new short[]{0x3C00, 0x7BFF, (short) 0xFE01, 0x0001}, 2, 2));
        t.put("mask", Tensor.of(new boolean[]{true, false, false, true, true, false}, 3, 2));
        t.put("scalar", Tensor.scalar(2.5));
        t.put("empty", Tensor.zeros(0));
        t.put("empty3", Tensor.zeros(DType.INT64, 2, 0, 3));
        t.put("cube", Tensor.of(NnReference.random(1, 60, -1, 1), 3, 4, 5));
        t.put("quote\"d ünïcode", Tensor.of(new int[]{1, 2}));
        return t;
    }

    private static void assertSameTensor(String name, Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), name);
        assertArrayEquals(expected.shape(), actual.shape(), name);
        switch (expected.dtype()) {
            case FLOAT32 -> {
                float[] e = expected.toFloatArray();
                float[] a = actual.toFloatArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(a[i]), name + "[" + i + "]");
                }
            }
            case FLOAT64 -> {
                double[] e = expected.toDoubleArray();
                double[] a = actual.toDoubleArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Double.doubleToLongBits(e[i]), Double.doubleToLongBits(a[i]), name + "[" + i + "]");
                }
            }
            case INT64, INT32, INT8 -> assertArrayEquals(expected.toLongArray(), actual.toLongArray(), name);
            case BOOL -> assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), name);
            case BFLOAT16, FLOAT16 -> assertArrayEquals(expected.halfBits(), actual.halfBits(), name + " bits");
        }
    }

    // ------------------------------------------------------------------ round trips and layout

    @Test
    void roundTripOfEveryDTypeAndShape() {
        Path file = dir.resolve("all.safetensors");
        Map<String, Tensor> tensors = sample();
        Map<String, String> meta = Map.of("format", "pt", "note", "ünïcode \"quoted\"\nline");
        SafeTensors.write(file, tensors, meta);
        SafeTensors.Content c = SafeTensors.read(file);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(c.tensors().keySet()), "file order is kept");
        tensors.forEach((k, v) -> assertSameTensor(k, v, c.tensors().get(k)));
        assertEquals(meta, c.metadata());
        SafeTensors.write(file, Map.of());
        assertTrue(SafeTensors.read(file).tensors().isEmpty());
    }

    @Test
    void nonContiguousTensorsAreWrittenInLogicalOrder() {
        Path file = dir.resolve("view.safetensors");
        Tensor t = iota(3, 4).t();
        SafeTensors.write(file, Map.of("t", t));
        Tensor back = SafeTensors.read(file).tensors().get("t");
        assertShape(back, 4, 3);
        assertValues(back, t.contiguous().toDoubleArray());
    }

    /** The parts of a safetensors byte string, parsed by the spec without the library. */
    record Parsed(long headerLength, String headerText, Map<String, Object> header, byte[] data) {
    }

    @SuppressWarnings("unchecked")
    static Parsed parse(byte[] bytes) {
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String text = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, Object> header = (Map<String, Object>) Json.parse(text);
        return new Parsed(n, text, header, Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length));
    }

    private static int byteSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "BF16", "F16" -> 2;
            case "BOOL", "I8" -> 1;
            default -> throw new AssertionError("unexpected dtype " + dtype);
        };
    }

    /** The little-endian bytes of a tensor's values, built here. */
    private static byte[] littleEndian(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> {
                for (float f : t.toFloatArray()) {
                    b.putFloat(f);
                }
            }
            case FLOAT64 -> {
                for (double d : t.toDoubleArray()) {
                    b.putDouble(d);
                }
            }
            case INT64 -> {
                for (long l : t.toLongArray()) {
                    b.putLong(l);
                }
            }
            case INT32 -> {
                for (int i : t.toIntArray()) {
                    b.putInt(i);
                }
            }
            case BOOL -> {
                for (boolean v : t.toBooleanArray()) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
            case INT8 -> b.put(t.toByteArray());
            case BFLOAT16, FLOAT16 -> {
                for (short bits : t.halfBits()) {
                    b.put((byte) bits).put((byte) (bits >> 8));
                }
            }
        }
        return b.array();
    }

    @Test
    @SuppressWarnings("unchecked")
    void byteLayoutIsExactlyTheSpec() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        Map<String, Tensor> tensors = sample();
        SafeTensors.write(file, tensors, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(file);
        Parsed p = parse(bytes);
        assertEquals(0, (8 + p.headerLength) % 8, "data starts 8-byte aligned");
        assertTrue(p.headerText.startsWith("{"), "header starts with '{'");
        assertTrue(p.headerText.stripTrailing().endsWith("}") && p.headerText.substring(p.headerText.stripTrailing().length())
                .chars().allMatch(ch -> ch == ' '), "header is padded with spaces only");
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(p.data);
        Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) p.header.get("__metadata__"));
        String headerCrc = (String) meta.remove("header_crc32c");
        assertEquals(Map.of("format", "pt", "data_crc32c", String.format("%08x", crc.getValue())), meta,
                "the metadata given, the data section's CRC32C and the header's");
        java.util.zip.CRC32C header = new java.util.zip.CRC32C();
        header.update(p.headerText.replace(headerCrc, "00000000").getBytes(StandardCharsets.UTF_8));
        assertEquals(String.format("%08x", header.getValue()), headerCrc, "the header's CRC32C, its digits read as 0");
        assertEquals(tensors.size() + 1, p.header.size());
        long expectedOffset = 0;
        for (var e : tensors.entrySet()) {
            Map<String, Object> entry = (Map<String, Object>) p.header.get(e.getKey());
            assertEquals(java.util.Set.of("dtype", "shape", "data_offsets"), entry.keySet(), e.getKey());
            String dtype = (String) entry.get("dtype");
            assertEquals(switch (e.getValue().dtype()) {
                case FLOAT32 -> "F32";
                case FLOAT64 -> "F64";
                case INT64 -> "I64";
                case INT32 -> "I32";
                case INT8 -> "I8";
                case BFLOAT16 -> "BF16";
                case FLOAT16 -> "F16";
                case BOOL -> "BOOL";
            }, dtype);
            List<Object> shape = (List<Object>) entry.get("shape");
            assertArrayEquals(e.getValue().shape(), shape.stream().mapToInt(o -> Math.toIntExact((Long) o)).toArray());
            List<Object> offsets = (List<Object>) entry.get("data_offsets");
            long begin = (Long) offsets.get(0);
            long end = (Long) offsets.get(1);
            assertEquals(expectedOffset, begin, e.getKey() + " follows the previous tensor");
            assertEquals((long) e.getValue().numel() * byteSize(dtype), end - begin, e.getKey());
            assertArrayEquals(littleEndian(e.getValue()), Arrays.copyOfRange(p.data, (int) begin, (int) end), e.getKey());
            expectedOffset = end;
        }
        assertEquals(expectedOffset, p.data.length, "no bytes after the last tensor");
        assertArrayEquals(bytes, SafeTensors.toBytes(tensors, Map.of("format", "pt")), "toBytes is the file");
    }

    @Test
    void headerIsPaddedToEightBytesWhateverItsLength() {
        for (int k = 0; k < 8; k++) {
            Map<String, Tensor> one = Map.of("w" + "x".repeat(k), Tensor.of(new double[]{1.5, -2}));
            byte[] bytes = SafeTensors.toBytes(one, Map.of());
            Parsed p = parse(bytes);
            int finalK = k;
            assertEquals(0, p.headerLength % 8, () -> "header length with a name of " + (finalK + 1) + " characters");
            assertEquals(p.headerText.stripTrailing(), p.headerText.strip());
            assertEquals(16, p.data.length);
            assertEquals(1.5, ByteBuffer.wrap(p.data).order(ByteOrder.LITTLE_ENDIAN).getDouble(0));
        }
    }

    // ------------------------------------------------------------------ files written as Python would

    /** A file from a hand-written header (padded with spaces to 8 bytes, as Python's writer does) and data. */
    static byte[] handMade(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded);
        b.put(json);
        for (int i = json.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        b.put(data);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(a -> a.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void readsAFileBuiltByHandAsPythonWritesIt() throws IOException {
        // Python orders the data by dtype size then name (the F64 weight first); the header lists keys in its own order.
        Tensor weight = Tensor.of(new double[]{1, -2, 3.5, 0.25, -0.125, 6}, 2, 3);
        Tensor bias = Tensor.of(new float[]{0.5f, -1.5f});
        Tensor step = Tensor.of(new long[]{42}).reshape();
        Tensor mask = Tensor.of(new boolean[]{true, false, true});
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"source\":\"python\"},"
                + "\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[56,64]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[64,67]},"
                + "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[48,56]},"
                + "\"weight\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]}}";
        Path f = file("python.safetensors", handMade(header, concat(littleEndian(weight), littleEndian(step),
                littleEndian(bias), littleEndian(mask))));
        SafeTensors.Content c = SafeTensors.read(f);
        assertEquals(Map.of("format", "pt", "source", "python"), c.metadata());
        assertSameTensor("weight", weight, c.tensors().get("weight"));
        assertSameTensor("bias", bias, c.tensors().get("bias"));
        assertSameTensor("step", step, c.tensors().get("step"));
        assertSameTensor("mask", mask, c.tensors().get("mask"));
        assertEquals(4, c.tensors().size());
    }

    @Test
    void readsAPrettyPrintedHeaderWithoutMetadata() throws IOException {
        String header = "{\n  \"x\": {\"dtype\": \"I32\", \"shape\": [2, 1], \"data_offsets\": [0, 8]},\n"
                + "  \"e\": {\"dtype\": \"F32\", \"shape\": [0, 4], \"data_offsets\": [8, 8]}\n}";
        Path f = file("pretty.safetensors", handMade(header, littleEndian(Tensor.of(new int[]{-7, 9}, 2, 1))));
        SafeTensors.Content c = SafeTensors.read(f);
        assertTrue(c.metadata().isEmpty());
        assertLongs(c.tensors().get("x"), -7, 9);
        assertShape(c.tensors().get("e"), 0, 4);
    }

    // ------------------------------------------------------------------ refusals

    private static void assertRefused(Path f, String... words) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafeTensors.read(f),
                () -> "reading " + f.getFileName());
        assertTrue(e.getMessage().contains(f.getFileName().toString()), () -> "names the file: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(w), () -> "'" + w + "' in " + e.getMessage());
        }
    }

    @Test
    void refusesTruncatedFilesCutAnywhere() throws IOException {
        byte[] good = SafeTensors.toBytes(sample(), Map.of("format", "pt"));
        long n = ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int[] cuts = {0, 3, 7, 8, 9, 8 + (int) n / 2, 8 + (int) n - 1, 8 + (int) n, 8 + (int) n + 5, good.length - 1};
        for (int cut : cuts) {
            assertRefused(file("cut-" + cut + ".safetensors", Arrays.copyOf(good, cut)));
        }
    }

    private byte[] withHeaderLength(byte[] bytes, long length) {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return copy;
    }

    @Test
    void refusesImpossibleHeaderLengths() throws IOException {
        byte[] good = SafeTensors.toBytes(sample(), Map.of());
        assertRefused(file("longer-than-file.safetensors", withHeaderLength(good, good.length)), "header");
        assertRefused(file("huge-header.safetensors", withHeaderLength(good, Long.MAX_VALUE)), "header");
        assertRefused(file("negative-header.safetensors", withHeaderLength(good, -16)), "header");
        assertRefused(file("zero-header.safetensors", withHeaderLength(good, 0)));
    }

    @Test
    void refusesHeadersThatAreNotTheExpectedJson() throws IOException {
        byte[] data = new byte[8];
        assertRefused(file("bad-json.safetensors", handMade("{\"a\": {\"dtype\": \"F32\",", data)), "json");
        assertRefused(file("array-header.safetensors", handMade("[1, 2]", data)));
        assertRefused(file("entry-not-object.safetensors", handMade("{\"a\": 5}", data)));
        assertRefused(file("garbage-after-json.safetensors", handMade("{} x", new byte[0])));
        assertRefused(file("metadata-not-strings.safetensors", handMade("{\"__metadata__\": {\"epoch\": 3}}", new byte[0])));
        assertRefused(file("not-utf8-json.safetensors", concat(withHeaderLength(new byte[8], 8),
                new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3, 4, 5})));
    }

    private Path entryFile(String name, String entries, int dataBytes) throws IOException {
        return file(name, handMade("{" + entries + "}", new byte[dataBytes]));
    }

    @Test
    void refusesBadEntries() throws IOException {
        assertRefused(entryFile("unknown-dtype.safetensors", "\"a\":{\"dtype\":\"XYZ\",\"shape\":[2],\"data_offsets\":[0,8]}", 8),
                "xyz");
        assertRefused(entryFile("u16.safetensors", "\"a\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]}", 4), "u16");
        assertRefused(entryFile("out-of-range.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}", 8));
        assertRefused(entryFile("reversed-offsets.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}", 8));
        assertRefused(entryFile("negative-offset.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}", 8));
        assertRefused(entryFile("size-mismatch.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}", 12),
                "'a'");
        assertRefused(entryFile("negative-dim.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,0]}", 0));
        assertRefused(entryFile("fractional-dim.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}", 4));
        assertRefused(entryFile("no-offsets.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[1]}", 4));
        assertRefused(entryFile("no-shape.safetensors", "\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", 4));
        assertRefused(entryFile("three-offsets.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}", 4));
    }

    @Test
    void refusesOverlapsGapsAndTrailingBytes() throws IOException {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertRefused(entryFile("overlap.safetensors", a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}", 12),
                "overlap");
        assertRefused(entryFile("same-range.safetensors", a + ",\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8));
        assertRefused(entryFile("gap.safetensors", a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}", 20), "gap");
        assertRefused(entryFile("late-start.safetensors", "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}", 12));
        assertRefused(entryFile("trailing.safetensors", a, 9), "trailing");
        assertRefused(entryFile("only-data.safetensors", "", 4));
    }

    @Test
    void aMissingFileIsReportedWithItsName() {
        Path missing = dir.resolve("missing.safetensors");
        RuntimeException e = assertThrows(RuntimeException.class, () -> SafeTensors.read(missing));
        assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
    }

    @Test
    void writeRefusesTheReservedMetadataName() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("x.safetensors"),
                Map.of("__metadata__", Tensor.zeros(1))));
        assertTrue(Files.notExists(dir.resolve("x.safetensors")));
    }

    // ------------------------------------------------------------------ checksum and strict header

    @Test
    void aFlippedBitInTheDataIsRefusedByTheChecksum() throws IOException {
        byte[] good = SafeTensors.toBytes(sample(), Map.of("format", "pt"));
        for (int at : new int[]{parse(good).data.length / 2, good.length - 1}) {
            byte[] bad = good.clone();
            int index = at == good.length - 1 ? at : good.length - parse(good).data.length + at;
            bad[index] ^= 0x10;
            assertRefused(file("flipped-" + at + ".safetensors", bad), "checksum");
        }
        Path noChecksum = file("no-checksum.safetensors", handMade("{\"x\":{\"dtype\":\"I32\",\"shape\":[1],"
                + "\"data_offsets\":[0,4]}}", littleEndian(Tensor.of(new int[]{5}))));
        assertLongs(SafeTensors.read(noChecksum).tensors().get("x"), 5); // files from other writers have none
        String badCrc = "{\"__metadata__\":{\"data_crc32c\":\"0000000G\"},"
                + "\"x\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertRefused(file("one-checksum.safetensors", handMade(badCrc, new byte[4])), "header_crc32c"); // Nabla writes both
        String bothBad = "{\"__metadata__\":{\"data_crc32c\":\"0000000G\",\"header_crc32c\":\"xyz\"},"
                + "\"x\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertRefused(file("malformed-checksum.safetensors", handMade(bothBad, new byte[4])), "8 lowercase hex");
    }

    @Test
    void damageToTheHeaderIsRefusedByItsChecksum() throws IOException {
        byte[] good = SafeTensors.toBytes(sample(), Map.of("format", "pt"));
        String text = new String(good, StandardCharsets.ISO_8859_1);
        // names, shapes and metadata that still parse: the data checksum alone would not see these
        for (String[] swap : new String[][]{{"\"i64\"", "\"i46\""}, {"[2,3]", "[3,2]"}, {"\"pt\"", "\"tp\""}}) {
            int at = text.indexOf(swap[0]);
            byte[] bad = good.clone();
            System.arraycopy(swap[1].getBytes(StandardCharsets.ISO_8859_1), 0, bad, at, swap[1].length());
            assertRefused(file("header-" + swap[1].replaceAll("[^a-z0-9]", "") + ".safetensors", bad), "header checksum");
        }
    }

    @Test
    void theChecksumIsNotPartOfTheMetadataReadBackAndCannotBeSetByHand() {
        Path f = dir.resolve("meta.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.ones(2)), Map.of("b", "2", "a", "1"));
        assertEquals(Map.of("a", "1", "b", "2"), SafeTensors.read(f).metadata());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("y.safetensors"),
                Map.of("w", Tensor.ones(1)), Map.of("data_crc32c", "00000000")));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("y.safetensors"),
                Map.of("w", Tensor.ones(1)), Map.of("header_crc32c", "00000000")));
    }

    @Test
    void theSameContentGivesTheSameBytesWhateverTheMetadataOrder() {
        Map<String, String> forward = new LinkedHashMap<>();
        Map<String, String> backward = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            forward.put("key" + i, "v" + i);
            backward.put("key" + (19 - i), "v" + (19 - i));
        }
        assertArrayEquals(SafeTensors.toBytes(sample(), forward), SafeTensors.toBytes(sample(), backward));
    }

    @Test
    void refusesHeadersThatAreNotStrictUnicodeAndJson() throws IOException {
        String entry = "\"x\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        byte[] invalidUtf8 = handMade("{\"__metadata__\":{\"k\":\"ab\"}," + entry + "}", new byte[4]);
        int quote = new String(invalidUtf8, StandardCharsets.ISO_8859_1).indexOf("ab");
        invalidUtf8[quote] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed, not U+FFFD
        assertRefused(file("invalid-utf8.safetensors", invalidUtf8), "utf-8");
        assertRefused(file("lone-surrogate.safetensors", handMade("{\"__metadata__\":{\"k\":\"\\ud800\"}," + entry + "}",
                new byte[4])), "surrogate");
        assertRefused(file("lone-low-surrogate-key.safetensors", handMade("{\"\\udc00\":{\"dtype\":\"I32\","
                + "\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])), "surrogate");
        assertRefused(file("plus-number.safetensors", handMade("{\"x\":{\"dtype\":\"I32\",\"shape\":[+1],"
                + "\"data_offsets\":[0,4]}}", new byte[4])), "json");
        assertRefused(file("leading-zero.safetensors", handMade("{\"x\":{\"dtype\":\"I32\",\"shape\":[01],"
                + "\"data_offsets\":[0,4]}}", new byte[4])), "json");
        assertRefused(file("duplicate-key.safetensors", handMade("{" + entry + "," + entry + "}", new byte[4])),
                "duplicate");
        Path pair = file("surrogate-pair.safetensors", handMade("{\"__metadata__\":{\"k\":\"\\ud83d\\ude00\"},"
                + entry + "}", new byte[4]));
        assertEquals("\uD83D\uDE00", SafeTensors.read(pair).metadata().get("k"), "a proper pair is text");
    }

    // ------------------------------------------------------------------ atomic writes

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writingOverAnExistingFileReplacesItAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Files.writeString(f, "old content");
        SafeTensors.write(f, Map.of("w", Tensor.ones(3)));
        assertValues(SafeTensors.read(f).tensors().get("w"), 1, 1, 1);
        SafeTensors.write(f, Map.of("w", Tensor.zeros(2)));
        assertValues(SafeTensors.read(f).tensors().get("w"), 0, 0);
        assertEquals(List.of("model.safetensors"), listing());
        Path nested = dir.resolve("runs/a/b.safetensors");
        SafeTensors.write(nested, Map.of("w", Tensor.ones(1)));
        assertTrue(Files.isRegularFile(nested), "parent directories are created");
    }

    @Test
    void aFailingWriterLeavesTheOldFileIntact() throws IOException {
        Path f = dir.resolve("checkpoint.bin");
        byte[] old = {1, 2, 3, 4, 5};
        Files.write(f, old);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("checkpoint.bin"), e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("checkpoint.bin"), listing(), "the temporary file is removed");

        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[10]);
            throw new IllegalStateException("serializer bug");
        }));
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of("checkpoint.bin"), listing(), "the temporary file is removed");

        AtomicFiles.writeString(f, "new");
        assertEquals("new", Files.readString(f));
        assertEquals(List.of("checkpoint.bin"), listing());
    }

    @Test
    void atomicWritesGiveFilesOrdinaryPermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"),
                "POSIX permissions only");
        Path ordinary = dir.resolve("ordinary.txt");
        Files.writeString(ordinary, "x");
        var expected = Files.getPosixFilePermissions(ordinary);
        Path fresh = dir.resolve("fresh.safetensors");
        SafeTensors.write(fresh, Map.of("w", Tensor.ones(1)));
        assertEquals(expected, Files.getPosixFilePermissions(fresh), "a new file gets the permissions Files.write gives");
    }

    @Test
    void atomicReplaceKeepsTheFilePermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"),
                "POSIX permissions only");
        Path shared = dir.resolve("shared.json");
        Files.writeString(shared, "{}");
        var custom = java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--");
        Files.setPosixFilePermissions(shared, custom);
        AtomicFiles.writeString(shared, "{\"a\": 1}");
        assertEquals(custom, Files.getPosixFilePermissions(shared), "replacing a file keeps its permissions");
    }

    @Test
    void aFailedWriteOfANewFileLeavesNothing() throws IOException {
        Path f = dir.resolve("fresh.bin");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            throw new IOException("no");
        }));
        assertEquals(new ArrayList<String>(), listing());
    }

    @Test
    void leftoversOfAKilledWriterAreRemovedByTheNextWrite() throws IOException {
        Path f = dir.resolve("checkpoint.safetensors");
        long dead = deadPid();
        long me = ProcessHandle.current().pid();
        String deadTemp = ".checkpoint.safetensors." + dead + ".1a2b3c.tmp";
        String liveTemp = ".checkpoint.safetensors." + me + ".4d5e.tmp";   // a concurrent write of this process
        String otherTarget = ".other.safetensors." + dead + ".1a2b.tmp";    // belongs to another file
        String oldStyleFresh = ".checkpoint.safetensors.9f8e7d.tmp";       // earlier versions: kept for a day
        String oldStyleStale = ".checkpoint.safetensors.abc123.tmp";
        for (String name : List.of(deadTemp, liveTemp, otherTarget, oldStyleFresh, oldStyleStale)) {
            Files.write(dir.resolve(name), new byte[100]);
        }
        Files.setLastModifiedTime(dir.resolve(oldStyleStale),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 2 * 86_400_000L));
        SafeTensors.write(f, Map.of("w", Tensor.ones(1)));
        List<String> left = listing();
        assertTrue(left.contains("checkpoint.safetensors"));
        assertTrue(!left.contains(deadTemp) && !left.contains(oldStyleStale), () -> "stale leftovers removed: " + left);
        assertTrue(left.containsAll(List.of(liveTemp, otherTarget, oldStyleFresh)), () -> "others kept: " + left);
    }

    /** A process id no process has now. */
    private static long deadPid() {
        for (long pid = 4_000_000; ; pid++) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
    }

    @Test
    void readingADirectorySaysSo() {
        UncheckedIOException directory = assertThrows(UncheckedIOException.class, () -> SafeTensors.read(dir));
        assertTrue(directory.getMessage().toLowerCase(java.util.Locale.ROOT).contains("is a directory"),
                directory.getMessage());
    }

    @Test
    void permissionErrorsSaySo() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"),
                "POSIX permissions only");
        Path locked = dir.resolve("locked");
        Files.createDirectories(locked);
        Path inside = locked.resolve("w.safetensors");
        SafeTensors.write(inside, Map.of("w", Tensor.ones(1)));
        Files.setPosixFilePermissions(inside, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(inside), "running as root");
            UncheckedIOException read = assertThrows(UncheckedIOException.class, () -> SafeTensors.read(inside));
            assertTrue(read.getMessage().contains("permission denied") && read.getMessage().contains("w.safetensors"),
                    read.getMessage());
            UncheckedIOException write = assertThrows(UncheckedIOException.class,
                    () -> SafeTensors.write(locked.resolve("new.safetensors"), Map.of("w", Tensor.ones(1))));
            assertTrue(write.getMessage().contains("permission denied"), write.getMessage());
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(inside, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
