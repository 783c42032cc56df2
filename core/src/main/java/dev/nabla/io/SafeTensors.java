package dev.nabla.io;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. Files written
 * here load in Python's {@code safetensors} and the other way round.
 *
 * <p>Reading checks every length, offset, dtype and shape before creating any tensor, and refuses
 * overlapping, missing or trailing bytes: a truncated or corrupt file raises
 * {@link FileFormatException} and nothing is returned half-loaded. Writing is atomic.
 */
public final class SafeTensors {
    /** Header size above which a file is refused as corrupt (real headers are far smaller). */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final int ALIGNMENT = 8;

    private SafeTensors() {
    }

    /** What a file holds: tensors in file order and the string metadata of {@code __metadata__}. */
    public record Content(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    // ------------------------------------------------------------------ writing

    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] bytes = toBytes(tensors, metadata);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The whole file as bytes. */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        List<byte[]> chunks = new ArrayList<>();
        long offset = 0;
        try (var off = GradMode.noGrad()) {
            for (var e : tensors.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    throw new IllegalArgumentException("safetensors: '__metadata__' is reserved and cannot name a tensor");
                }
                Tensor t = e.getValue();
                byte[] data = TensorData.encode(t);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("dtype", TensorData.code(t.dtype()));
                entry.put("shape", t.shape());
                entry.put("data_offsets", new long[]{offset, offset + data.length});
                header.put(e.getKey(), entry);
                chunks.add(data);
                offset += data.length;
            }
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; // data starts 8-byte aligned
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("safetensors: " + total + " bytes is more than one file buffer holds");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(padded);
        buffer.put(json);
        for (int i = json.length; i < padded; i++) {
            buffer.put((byte) ' ');
        }
        for (byte[] chunk : chunks) {
            buffer.put(chunk);
        }
        return buffer.array();
    }

    // ------------------------------------------------------------------ reading

    public static Content read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
        return read(file, bytes);
    }

    /** Parses a file's bytes; {@code file} only names it in errors. */
    public static Content read(Path file, byte[] bytes) {
        if (bytes.length < 8) {
            throw new FileFormatException(file, "file is " + bytes.length
                    + " bytes, too short for a safetensors header length (8 bytes); truncated?");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > bytes.length - 8L) {
            throw new FileFormatException(file, "header length " + headerLength + " does not fit a file of "
                    + bytes.length + " bytes; the file is truncated or not safetensors");
        }
        Map<String, Object> header = parseHeader(file, bytes, (int) headerLength);
        int dataStart = 8 + (int) headerLength;
        long dataSize = bytes.length - (long) dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new FileFormatException(file, "__metadata__ must be an object of strings");
                }
                for (var m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String value)) {
                        throw new FileFormatException(file, "__metadata__ value of '" + m.getKey() + "' is not a string");
                    }
                    metadata.put((String) m.getKey(), value);
                }
            } else {
                entries.add(entry(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        checkCoverage(file, entries, dataSize);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry entry : entries) {
            tensors.put(entry.name, decode(file, buffer, dataStart, entry));
        }
        return new Content(tensors, metadata);
    }

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseHeader(Path file, byte[] bytes, int length) {
        String text = new String(bytes, 8, length, StandardCharsets.UTF_8);
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new FileFormatException(file, "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map<?, ?>)) {
            throw new FileFormatException(file, "header must be a JSON object");
        }
        return (Map<String, Object>) parsed;
    }

    private static Entry entry(Path file, String name, Object value, long dataSize) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new FileFormatException(file, "entry '" + name + "' is not an object");
        }
        DType dtype = map.get("dtype") instanceof String code ? TensorData.dtype(code) : null;
        if (dtype == null) {
            throw new FileFormatException(file, "tensor '" + name + "' has unsupported dtype " + map.get("dtype")
                    + " (supported: F32, F64, I64, I32, I8, BOOL)");
        }
        if (!(map.get("shape") instanceof List<?> shapeList)) {
            throw new FileFormatException(file, "tensor '" + name + "' has no shape list");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long dim) || dim < 0 || dim > Integer.MAX_VALUE) {
                throw new FileFormatException(file, "tensor '" + name + "' has an invalid shape " + shapeList);
            }
            shape[i] = (int) (long) dim;
            numel *= dim;
            if (numel > Integer.MAX_VALUE) {
                throw new FileFormatException(file, "tensor '" + name + "' shape " + shapeList + " is too large");
            }
        }
        if (!(map.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw new FileFormatException(file, "tensor '" + name + "' needs data_offsets [begin, end]");
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw new FileFormatException(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] fall outside the " + dataSize + " data bytes; the file is truncated or corrupt");
        }
        long expected = numel * dtype.byteSize();
        if (end - begin != expected) {
            throw new FileFormatException(file, "tensor '" + name + "' " + dtype + " " + Shapes.str(shape) + " needs "
                    + expected + " bytes but its offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** The entries must tile the data area exactly: no gaps, overlaps or trailing bytes. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataSize) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin != at) {
                throw new FileFormatException(file, "tensor '" + e.name + "' starts at byte " + e.begin + " of the data, expected "
                        + at + (e.begin < at ? " (overlapping tensors)" : " (a gap)"));
            }
            at = e.end;
        }
        if (at != dataSize) {
            throw new FileFormatException(file, "the data area holds " + dataSize + " bytes but the tensors use " + at
                    + (at < dataSize ? " (trailing bytes)" : ""));
        }
    }

    private static Tensor decode(Path path, ByteBuffer file, int dataStart, Entry e) {
        ByteBuffer b = file.duplicate();
        b.position(dataStart + (int) e.begin).limit(dataStart + (int) e.end);
        try {
            return TensorData.decode(b, e.dtype, e.shape);
        } catch (IllegalArgumentException bad) {
            throw new FileFormatException(path, "tensor '" + e.name + "': " + bad.getMessage());
        }
    }
}
