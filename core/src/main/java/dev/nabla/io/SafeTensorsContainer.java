package dev.nabla.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import dev.nabla.DType;
import dev.nabla.ops.Shapes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The safetensors container: an 8-byte little-endian header length, a UTF-8 JSON header (a {@code __metadata__}
 * object of strings and one entry per tensor: dtype, shape, data_offsets) padded with spaces, then the data
 * section. {@link SafeTensors} (state dicts, checkpoints) and the inference model file put their content into it
 * and take it out; this class knows nothing of what the tensors mean.
 *
 * <p>Reading is strict and bounded: strict UTF-8 and JSON (a fuzzed streaming parser, see {@link JsonInput}),
 * entries checked for dtype, shape and byte range, the data section tiled exactly, and the data checksum
 * {@value #DATA_CRC} verified where the file has one.
 */
public final class SafeTensorsContainer {
    /** Header size above which a file is refused. */
    public static final int MAX_HEADER_BYTES = 100 << 20;
    /** The largest header written: safetensors' own readers refuse headers over 100 MB (10^8 bytes). */
    public static final int MAX_WRITTEN_HEADER_BYTES = 100_000_000;
    /** Tensor ranks above this are refused (real tensors have a handful of dimensions). */
    public static final int MAX_RANK = 64;
    public static final String METADATA = "__metadata__";
    /**
     * The metadata key of the data section's CRC32C, 8 lowercase hex digits. Nabla writes it into every file and
     * verifies it on reading where present (files from other writers have none and still load).
     */
    public static final String DATA_CRC = "data_crc32c";
    /**
     * The metadata key of the header's own CRC32C, 8 lowercase hex digits, computed over the header bytes with these
     * 8 digits written as zeros: it protects tensor names, dtypes, shapes, offsets and metadata, which the data
     * checksum does not. Written by {@link SafeTensors}; verified where present.
     */
    public static final String HEADER_CRC = "header_crc32c";
    private static final String UNSEALED = "00000000";
    private static final Pattern CRC = Pattern.compile("[0-9a-f]{8}");

    private SafeTensorsContainer() {
    }

    /** A tensor to write: its bytes in the data section, in list order. */
    public record Blob(String name, DType dtype, int[] shape, byte[] data) {
    }

    /** A tensor entry as the header states it; {@link #check} validates it against the data section. */
    public record RawEntry(String name, String dtype, long[] shape, long begin, long end) {
    }

    /** A checked tensor entry: known dtype, shape within int range, byte range inside the data section. */
    public record Entry(String name, DType dtype, int[] shape, int numel, long begin, long end) {
    }

    /** What the header says, and where the data section lies in the file's bytes. */
    public record Content(Map<String, String> metadata, List<RawEntry> entries, int dataStart, int dataLength) {
    }

    // ------------------------------------------------------------------ writing

    /**
     * The file: header with {@code metadata} and one entry per blob, padded with spaces so that the data section
     * starts at a multiple of {@code alignment} bytes from the start of the file, then the blobs in order.
     */
    public static byte[] write(Map<String, String> metadata, List<Blob> blobs, int alignment) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        long offset = 0;
        try (JsonGenerator g = JsonInput.factory().createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart(METADATA);
            for (var e : metadata.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            for (Blob blob : blobs) {
                g.writeObjectFieldStart(blob.name());
                g.writeStringField("dtype", TensorData.code(blob.dtype()));
                g.writeArrayFieldStart("shape");
                for (int s : blob.shape()) {
                    g.writeNumber(s);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + blob.data().length);
                g.writeEndArray();
                g.writeEndObject();
                offset += blob.data().length;
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("safetensors: could not write the header: " + e.getMessage(), e);
        }
        byte[] header = json.toByteArray();
        // Spaces after the JSON (allowed by safetensors) move the data section to the alignment boundary.
        long dataStart = roundUp(8L + header.length, alignment);
        long total = dataStart + offset;
        if (dataStart - 8 > MAX_WRITTEN_HEADER_BYTES || total > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("safetensors: " + total + " bytes (header " + (dataStart - 8)
                    + ") is more than one file buffer holds");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(dataStart - 8);
        out.put(header);
        while (out.position() < dataStart) {
            out.put((byte) ' ');
        }
        for (Blob blob : blobs) {
            out.put(blob.data());
        }
        return out.array();
    }

    private static long roundUp(long n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    // ------------------------------------------------------------------ reading

    /**
     * The header of {@code bytes}: length prefix within bounds, strict UTF-8, strict JSON of the safetensors
     * shape. Entries are checked for form only (see {@link #check}).
     */
    public static Content read(Path file, byte[] bytes) {
        if (bytes.length < 8) {
            throw new FileFormatException(file, "file is " + bytes.length
                    + " bytes, too short for the 8-byte header length; it is truncated or not a safetensors file");
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new FileFormatException(file, "header length " + headerLength + " is outside 2 to "
                    + MAX_HEADER_BYTES + " bytes; the file is corrupt or not a safetensors file");
        }
        if (headerLength > bytes.length - 8L) {
            throw new FileFormatException(file, "header length " + headerLength + " needs " + (headerLength + 8)
                    + " bytes but the file has " + bytes.length + "; the file is truncated");
        }
        int length = (int) headerLength;
        requireUtf8(file, bytes, 8, length);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<RawEntry> entries = new ArrayList<>();
        boolean sawMetadata = false;
        try (JsonInput in = JsonInput.of(file, "header", bytes, 8, length)) {
            in.expect(JsonToken.START_OBJECT, "the header object '{'");
            for (String key = in.nextKey("a key"); key != null; key = in.nextKey("a key")) {
                if (key.equals(METADATA)) {
                    sawMetadata = true;
                    readMetadata(in, metadata);
                } else {
                    entries.add(readEntry(in, key));
                }
            }
            in.end();
        }
        if (!sawMetadata) {
            metadata = Map.of();
        }
        return new Content(Collections.unmodifiableMap(metadata), List.copyOf(entries), 8 + length,
                bytes.length - 8 - length);
    }

    /** Refuses malformed UTF-8 (including overlong forms and encoded surrogates) before the JSON parser runs. */
    private static void requireUtf8(Path file, byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(Math.min(length, 8192));
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw new FileFormatException(file, "header is not valid UTF-8: a malformed byte sequence at byte "
                        + (in.position() - offset) + " of the header");
            }
            if (result.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    private static void readMetadata(JsonInput in, Map<String, String> metadata) {
        in.expect(JsonToken.START_OBJECT, "__metadata__ as an object of strings");
        for (String key = in.nextKey("a __metadata__ key"); key != null; key = in.nextKey("a __metadata__ key")) {
            metadata.put(key, in.string("__metadata__ value of '" + JsonInput.clip(key) + "'"));
        }
    }

    private static RawEntry readEntry(JsonInput in, String name) {
        String what = "tensor '" + JsonInput.clip(name) + "'";
        in.expect(JsonToken.START_OBJECT, what + " as an object {dtype, shape, data_offsets}");
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        for (String key = in.nextKey(what + " key"); key != null; key = in.nextKey(what + " key")) {
            switch (key) {
                case "dtype" -> dtype = in.string(what + " dtype");
                case "shape" -> shape = longs(in, what + " shape", 0, Integer.MAX_VALUE, MAX_RANK);
                case "data_offsets" -> offsets = longs(in, what + " data_offsets", 0, Long.MAX_VALUE, 2);
                default -> throw in.error(what + " has an unknown key '" + JsonInput.clip(key)
                        + "'; expected dtype, shape and data_offsets", null);
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw in.error(what + " needs dtype, shape and data_offsets; found "
                    + (dtype == null ? "no dtype" : shape == null ? "no shape" : "no data_offsets"), null);
        }
        if (offsets.length != 2) {
            throw in.error(what + " data_offsets must be [begin, end], found " + offsets.length + " number(s)", null);
        }
        return new RawEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A list of at most {@code maxLength} integers from {@code min} to {@code max}. */
    public static long[] longs(JsonInput in, String what, long min, long max, int maxLength) {
        in.expect(JsonToken.START_ARRAY, what + " (a list)");
        long[] values = new long[Math.min(maxLength, 8)];
        int n = 0;
        for (JsonToken t = in.next(); t != JsonToken.END_ARRAY; t = in.next()) {
            if (n == maxLength) {
                throw in.error(what + " has more than " + maxLength + " entries", null);
            }
            long v = in.integerAt(t, what + " entries", min, max);
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, Math.min(maxLength, n * 2));
            }
            values[n++] = v;
        }
        return java.util.Arrays.copyOf(values, n);
    }

    // ------------------------------------------------------------------ checksum

    /** The CRC32C of the blobs' bytes in order (the data section {@link #write} makes), as {@value #DATA_CRC} states it. */
    public static String dataCrc(List<Blob> blobs) {
        CRC32C crc = new CRC32C();
        for (Blob b : blobs) {
            crc.update(b.data());
        }
        return hex(crc.getValue());
    }

    /**
     * Fills in the {@value #HEADER_CRC} of a file written with that key set to {@code "00000000"}, in place, and
     * returns the file.
     */
    public static byte[] sealHeader(byte[] file) {
        int length = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int digits = headerCrcDigits(file, length, UNSEALED);
        if (digits < 0) {
            throw new IllegalArgumentException("safetensors: the header has no unsealed \"" + HEADER_CRC + "\"");
        }
        byte[] hex = hex(headerCrc(file, length, digits)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, file, digits, hex.length);
        return file;
    }

    /**
     * Checks the header against its {@value #HEADER_CRC}: a damaged name, shape, offset or metadata value is refused
     * instead of loaded. A file without the key is accepted unless {@code required}.
     */
    public static void verifyHeaderCrc(Path file, byte[] bytes, Content content, boolean required) {
        String stated = content.metadata().get(HEADER_CRC);
        if (stated == null) {
            if (required) {
                throw new FileFormatException(file, "__metadata__ has no '" + HEADER_CRC + "'; the file is corrupt or "
                        + "was not written by Nabla");
            }
            return;
        }
        if (!CRC.matcher(stated).matches()) {
            throw new FileFormatException(file, HEADER_CRC + " is \"" + JsonInput.clip(stated)
                    + "\"; expected 8 lowercase hex digits");
        }
        int length = content.dataStart() - 8;
        int digits = headerCrcDigits(bytes, length, stated);
        if (digits < 0) {
            // the parser unescaped the value: the file spells the key or digits with escapes, not as written
            throw new FileFormatException(file, HEADER_CRC + " is not written as \"" + HEADER_CRC + "\":\"<8 hex>\"");
        }
        String computed = hex(headerCrc(bytes, length, digits));
        if (!computed.equals(stated)) {
            throw new FileFormatException(file, "header checksum mismatch: the header is corrupt (" + HEADER_CRC
                    + " is " + stated + ", the file gives " + computed + ")");
        }
    }

    /** Where the 8 digits of {@code "header_crc32c":"<digits>"} start in the file, or -1. */
    private static int headerCrcDigits(byte[] file, int headerLength, String digits) {
        byte[] needle = ("\"" + HEADER_CRC + "\":\"" + digits + "\"").getBytes(StandardCharsets.US_ASCII);
        int end = 8 + headerLength - needle.length;
        outer:
        for (int i = 8; i <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (file[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length - 1 - digits.length();
        }
        return -1;
    }

    /** The CRC32C of the header bytes with the 8 digits at {@code digits} read as zeros. */
    private static long headerCrc(byte[] file, int headerLength, int digits) {
        CRC32C crc = new CRC32C();
        crc.update(file, 8, digits - 8);
        crc.update(UNSEALED.getBytes(StandardCharsets.US_ASCII));
        crc.update(file, digits + 8, 8 + headerLength - (digits + 8));
        return crc.getValue();
    }

    /** 8 lowercase hex digits. */
    public static String hex(long crc) {
        return String.format(Locale.ROOT, "%08x", crc);
    }

    /**
     * Checks the data section of {@code bytes} against the {@value #DATA_CRC} metadata: a flipped bit in the
     * tensors is refused instead of loaded. A file without the key is accepted unless {@code required}.
     */
    public static void verifyDataCrc(Path file, byte[] bytes, Content content, boolean required) {
        String stated = content.metadata().get(DATA_CRC);
        if (stated == null) {
            if (required) {
                throw new FileFormatException(file, "__metadata__ has no '" + DATA_CRC + "'; the file is corrupt or "
                        + "was not written by Nabla");
            }
            return;
        }
        if (!CRC.matcher(stated).matches()) {
            throw new FileFormatException(file, DATA_CRC + " is \"" + JsonInput.clip(stated)
                    + "\"; expected 8 lowercase hex digits");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, content.dataStart(), content.dataLength());
        String computed = hex(crc.getValue());
        if (!computed.equals(stated)) {
            throw new FileFormatException(file, "data checksum mismatch: the tensor data is corrupt (" + DATA_CRC
                    + " is " + stated + ", the file gives " + computed + ")");
        }
    }

    // ------------------------------------------------------------------ checking entries

    /**
     * Validates every entry: a dtype Nabla has, a shape whose element count fits one tensor, a byte range of
     * exactly numel times the element size inside the data section; and the entries together must cover the data
     * section without gaps, overlaps or trailing bytes (safetensors' own rule).
     */
    public static List<Entry> check(Path file, Content content) {
        List<Entry> entries = new ArrayList<>();
        for (RawEntry raw : content.entries()) {
            entries.add(check(file, raw, content.dataLength()));
        }
        checkCoverage(file, entries, content.dataLength());
        return entries;
    }

    private static Entry check(Path file, RawEntry raw, long dataLength) {
        String what = "tensor '" + JsonInput.clip(raw.name()) + "'";
        DType dtype = TensorData.dtype(raw.dtype());
        if (dtype == null) {
            throw new FileFormatException(file, what + " has dtype '" + JsonInput.clip(raw.dtype())
                    + "'; expected one of F32, F64, BF16, F16, I64, I32, I8, BOOL");
        }
        int[] shape = new int[raw.shape().length];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = (int) raw.shape()[i]; // each dimension was read as 0 to Integer.MAX_VALUE
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE) {
                throw new FileFormatException(file, what + " shape " + Shapes.str(shape) + " has more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        if (raw.end() < raw.begin() || raw.end() > dataLength) {
            throw new FileFormatException(file, what + " data_offsets [" + raw.begin() + ", " + raw.end()
                    + "] do not lie within the " + dataLength + " data bytes; the file is truncated or corrupt");
        }
        long expected = numel * dtype.byteSize();
        if (raw.end() - raw.begin() != expected) {
            throw new FileFormatException(file, what + " " + raw.dtype() + " " + Shapes.str(shape) + " needs "
                    + expected + " bytes but its data_offsets [" + raw.begin() + ", " + raw.end() + "] span "
                    + (raw.end() - raw.begin()));
        }
        return new Entry(raw.name(), dtype, shape, (int) numel, raw.begin(), raw.end());
    }

    private static void checkCoverage(Path file, List<Entry> entries, long dataLength) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin() != at) {
                throw new FileFormatException(file, "tensor '" + JsonInput.clip(e.name()) + "' starts at data byte "
                        + e.begin() + ", expected " + at + (e.begin() < at ? " (tensors overlap)" : " (a gap)"));
            }
            at = e.end();
        }
        if (at != dataLength) {
            throw new FileFormatException(file, "the data section holds " + dataLength + " bytes but the tensors use "
                    + at + " (trailing bytes)");
        }
    }
}
