package dev.nabla.io;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. Files written
 * here load in Python's {@code safetensors} and the other way round.
 *
 * <p>Reading checks every length, offset, dtype and shape before creating any tensor, and refuses
 * overlapping, missing or trailing bytes and data that fails its checksum (see {@link SafeTensorsContainer}): a
 * truncated or corrupt file raises {@link FileFormatException} and nothing is returned half-loaded. Writing is
 * atomic.
 */
public final class SafeTensors {
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

    /**
     * The whole file as bytes. Metadata keys are written sorted, so the same content gives the same bytes in any
     * JVM, and the CRC32Cs of the data section and of the header are added as
     * {@value SafeTensorsContainer#DATA_CRC} and {@value SafeTensorsContainer#HEADER_CRC}.
     */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, String> header = new TreeMap<>();
        for (var e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("safetensors: metadata keys and values must not be null");
            }
            if (e.getKey().equals(SafeTensorsContainer.DATA_CRC) || e.getKey().equals(SafeTensorsContainer.HEADER_CRC)) {
                throw new IllegalArgumentException("safetensors: metadata key '" + e.getKey()
                        + "' is reserved for the checksums");
            }
            header.put(e.getKey(), e.getValue());
        }
        List<SafeTensorsContainer.Blob> blobs = new ArrayList<>();
        try (var off = GradMode.noGrad()) {
            for (var e : tensors.entrySet()) {
                if (e.getKey().equals(SafeTensorsContainer.METADATA)) {
                    throw new IllegalArgumentException("safetensors: '__metadata__' is reserved and cannot name a tensor");
                }
                Tensor t = e.getValue();
                blobs.add(new SafeTensorsContainer.Blob(e.getKey(), t.dtype(), t.shape(), TensorData.encode(t)));
            }
        }
        header.put(SafeTensorsContainer.DATA_CRC, SafeTensorsContainer.dataCrc(blobs));
        header.put(SafeTensorsContainer.HEADER_CRC, "00000000"); // filled in once the header's bytes exist
        return SafeTensorsContainer.sealHeader(SafeTensorsContainer.write(header, blobs, ALIGNMENT));
    }

    // ------------------------------------------------------------------ reading

    public static Content read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw IoErrors.unchecked("could not read", file, e);
        }
        return read(file, bytes);
    }

    /**
     * Parses a file's bytes; {@code file} only names it in errors. The header and data checksums are verified where
     * the file has them (Nabla writes them; files from other writers load without) and are not part of the metadata
     * returned.
     */
    public static Content read(Path file, byte[] bytes) {
        SafeTensorsContainer.Content content = SafeTensorsContainer.read(file, bytes);
        // Nabla writes both checksums: one without the other is a damaged key, not another writer's file.
        boolean sealed = content.metadata().containsKey(SafeTensorsContainer.DATA_CRC)
                || content.metadata().containsKey(SafeTensorsContainer.HEADER_CRC);
        SafeTensorsContainer.verifyHeaderCrc(file, bytes, content, sealed);
        List<SafeTensorsContainer.Entry> entries = SafeTensorsContainer.check(file, content);
        SafeTensorsContainer.verifyDataCrc(file, bytes, content, sealed);
        Map<String, String> metadata = new LinkedHashMap<>(content.metadata());
        metadata.remove(SafeTensorsContainer.DATA_CRC);
        metadata.remove(SafeTensorsContainer.HEADER_CRC);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafeTensorsContainer.Entry entry : entries) {
            tensors.put(entry.name(), decode(file, bytes, content.dataStart(), entry));
        }
        return new Content(tensors, metadata);
    }

    private static Tensor decode(Path path, byte[] bytes, int dataStart, SafeTensorsContainer.Entry e) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.position(dataStart + (int) e.begin()).limit(dataStart + (int) e.end());
        try {
            return TensorData.decode(b, e.dtype(), e.shape());
        } catch (IllegalArgumentException bad) {
            throw new FileFormatException(path, "tensor '" + JsonInput.clip(e.name()) + "': " + bad.getMessage());
        }
    }
}
