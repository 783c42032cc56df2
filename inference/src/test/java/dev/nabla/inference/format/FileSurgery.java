package dev.nabla.inference.format;

import dev.nabla.io.Json;
import dev.nabla.io.SafeTensorsContainer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Takes model files apart and puts them back together for tests: damage one part and keep the rest consistent
 * (header length, padding, checksums), so that a check deep inside the reader is reached.
 */
final class FileSurgery {
    private FileSurgery() {
    }

    static int headerLength(byte[] file) {
        return (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static int dataStart(byte[] file) {
        return 8 + headerLength(file);
    }

    /** The header text, padding included. */
    static String headerText(byte[] file) {
        return new String(file, 8, headerLength(file), StandardCharsets.UTF_8);
    }

    static byte[] data(byte[] file) {
        return Arrays.copyOfRange(file, dataStart(file), file.length);
    }

    /** A file of {@code header} (padded to the 64-byte boundary) and {@code data}. */
    static byte[] assemble(String header, byte[] data) {
        byte[] json = header.stripTrailing().getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[(8 + json.length + 63) / 64 * 64 - 8];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(json, 0, padded, 0, json.length);
        return assembleRaw(padded, data);
    }

    /** A file of exactly {@code header} and {@code data}, with a correct length prefix. */
    static byte[] assembleRaw(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length);
        b.put(header);
        b.put(data);
        return b.array();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> header(byte[] file) {
        return (Map<String, Object>) Json.parse(headerText(file).strip());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> header) {
        return (Map<String, Object>) header.get("__metadata__");
    }

    static String graph(byte[] file) {
        return (String) metadata(header(file)).get("graph");
    }

    /** The file with its header edited (re-written, re-padded, length prefix updated), data unchanged. */
    static byte[] withHeader(byte[] file, Consumer<Map<String, Object>> edit) {
        Map<String, Object> header = header(file);
        Object sealedAs = metadata(header).get(SafeTensorsContainer.HEADER_CRC);
        edit.accept(header);
        boolean checksumEdited = !java.util.Objects.equals(sealedAs, metadata(header).get(SafeTensorsContainer.HEADER_CRC));
        return checksumEdited ? assemble(Json.write(header), data(file)) : resealed(header, data(file));
    }

    /**
     * The file of {@code header} and {@code data}, with its header checksum (where it has one) recomputed, so that
     * an edit reaches the checks behind it.
     */
    static byte[] resealed(Map<String, Object> header, byte[] data) {
        if (metadata(header).get(SafeTensorsContainer.HEADER_CRC) == null) {
            return assemble(Json.write(header), data);
        }
        metadata(header).put(SafeTensorsContainer.HEADER_CRC, "00000000");
        return SafeTensorsContainer.sealHeader(assemble(Json.write(header), data));
    }

    /** The file with another graph string and a graph checksum that matches it. */
    static byte[] withGraph(byte[] file, String graph) {
        return withHeader(file, h -> {
            metadata(h).put("graph", graph);
            metadata(h).put("graph_crc32c", crc32c(graph.getBytes(StandardCharsets.UTF_8)));
        });
    }

    /** The file with the graph string edited by replacing the first {@code old} by {@code replacement}. */
    static byte[] replaceInGraph(byte[] file, String old, String replacement) {
        String graph = graph(file);
        int at = graph.indexOf(old);
        if (at < 0) {
            throw new AssertionError("graph has no '" + old + "': " + graph);
        }
        return withGraph(file, graph.substring(0, at) + replacement + graph.substring(at + old.length()));
    }

    /** The file with the data section replaced and the data checksum updated to match. */
    static byte[] withData(byte[] file, byte[] data) {
        Map<String, Object> header = header(file);
        metadata(header).put("data_crc32c", crc32c(data));
        return resealed(header, data);
    }

    static String crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }
}
