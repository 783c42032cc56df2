package dev.nabla.inference.format;

import dev.nabla.inference.graph.Graph;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.SafeTensorsContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The compact model file, {@code .nabla}: a graph and its weights in one file that is also a valid safetensors
 * file, so Python's {@code safetensors} (and any other safetensors reader) opens it and sees the weights.
 *
 * <h2>Layout (format version 1)</h2>
 * <ol>
 *   <li>8 bytes: the header length {@code n}, unsigned little-endian (at most 100 MiB).</li>
 *   <li>{@code n} bytes: the header, a UTF-8 JSON object, padded with spaces so that the data section starts at
 *       a multiple of 64 bytes from the start of the file. It holds
 *       <ul>
 *         <li>{@code "__metadata__"}: an object of strings:
 *           <ul>
 *             <li>{@code "format": "nabla-model"}, {@code "format_version": "1"};</li>
 *             <li>{@code "data_crc32c"}: the CRC32C of the whole data section, 8 lowercase hex digits;</li>
 *             <li>{@code "graph_crc32c"}: the CRC32C of the UTF-8 bytes of the graph string, likewise;</li>
 *             <li>{@code "header_crc32c"}: the CRC32C of the header bytes with these 8 digits read as zeros (files
 *             written before it existed have none and still load);</li>
 *             <li>{@code "graph"}: the graph as a JSON string (see {@code GraphJson}): inputs, outputs and nodes in
 *                 graph order, each with its kind, name, type and scope, a constant's role, a call's op,
 *                 attributes and input names;</li>
 *             <li>the caller's metadata, under any other keys.</li>
 *           </ul></li>
 *         <li>one safetensors entry per constant node of the graph, keyed by the constant's name:
 *             {@code {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}}, offsets relative to the data
 *             section.</li>
 *       </ul></li>
 *   <li>The data section: the constants' elements, row-major and little-endian (i8 as one byte; bool as one
 *       byte, 0 or 1), back to back.</li>
 * </ol>
 *
 * <p><b>Alignment.</b> Safetensors forbids gaps between tensors, so alignment comes from the order instead: the
 * constants are stored in graph order, stably sorted by element size, 8-byte dtypes (f64, i64) first, then 4-byte
 * (f32, i32), then 2-byte (bf16, f16), then 1-byte (i8, bool). With the data section on a 64-byte boundary, every tensor then starts at a
 * multiple of its element size, and a reader that memory-maps the file can view each tensor in place. This
 * canonical layout is required when reading: besides alignment, it binds each entry's name to its bytes under the
 * graph checksum (two entries of equal shape cannot swap data unnoticed).
 *
 * <p><b>Integrity.</b> Together, the two checksums, the canonical layout and the match between the graph's
 * constants and the entries protect everything that determines the model's results; only the caller's metadata
 * and the padding are unprotected.
 *
 * <h2>Reading</h2>
 * {@link #read} trusts nothing in the file and checks everything before it builds anything: the header length,
 * strict UTF-8 and strict JSON (no duplicate keys, no non-standard numbers, bounded depth, string and number
 * lengths, nothing after the header object), every tensor entry (dtype, shape, byte size, offsets covering the
 * data section without gaps, overlaps or trailing bytes), the format name and version, both checksums, every
 * graph node's form, op and attributes, unique names, each value read only after it is made, each constant
 * matched by exactly one entry of its declared dtype and shape. Then it bounds what checking the graph would
 * allocate and compute from the declared types ({@code DryRun.checkBudget}), creates the constants (exactly the
 * data section's bytes), builds the graph and runs it on zeros at batch sizes 2 and 3 with every value's declared
 * type checked ({@code DryRun.run}). Every refusal is a {@link FileFormatException} whose message starts with the
 * file and says what was expected and what was found; nothing is half-loaded.
 */
public final class ModelFile {
    /** The {@code format} metadata of every model file. */
    public static final String FORMAT = "nabla-model";
    /** The format version this class writes, and the newest it reads. */
    public static final int VERSION = 1;

    static final String KEY_FORMAT = "format";
    static final String KEY_VERSION = "format_version";
    static final String KEY_GRAPH = "graph";
    static final String KEY_GRAPH_CRC = "graph_crc32c";
    static final String KEY_DATA_CRC = SafeTensorsContainer.DATA_CRC;
    static final String KEY_HEADER_CRC = SafeTensorsContainer.HEADER_CRC;
    /** Metadata keys of the format itself, which callers cannot use. */
    public static final Set<String> RESERVED_KEYS = Set.of(KEY_FORMAT, KEY_VERSION, KEY_GRAPH, KEY_GRAPH_CRC,
            KEY_DATA_CRC, KEY_HEADER_CRC);

    private ModelFile() {
    }

    /**
     * Writes {@code graph} and the caller's {@code metadata} to {@code file} atomically (a crash leaves the old
     * file or the new one). Metadata keys must not be one of {@link #RESERVED_KEYS}.
     */
    public static void write(Path file, Graph graph, Map<String, String> metadata) {
        byte[] bytes = toBytes(graph, metadata);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The whole file as bytes; the same graph and metadata always give the same bytes. */
    public static byte[] toBytes(Graph graph, Map<String, String> metadata) {
        return ModelWriter.toBytes(graph, metadata);
    }

    /**
     * Reads and checks a model file (see the class documentation).
     *
     * @throws FileFormatException   if the file is not a valid model file; the message names the file
     * @throws UncheckedIOException  if the file cannot be read; the message names the file and the reason
     */
    public static LoadedModel read(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 64) {
                throw new FileFormatException(file, "file is " + size + " bytes; model files of 2 GiB or more are "
                        + "not supported");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + reason(e), e);
        }
        return read(file, bytes);
    }

    /** Reads and checks a model file's {@code bytes}; {@code file} names it in errors. */
    public static LoadedModel read(Path file, byte[] bytes) {
        return ModelReader.read(file, bytes);
    }

    /** The OS reason, in words where Java's message is only the path. */
    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> "no such file";
            case AccessDeniedException x -> "permission denied";
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
