package dev.nabla.inference.format;

import dev.nabla.io.SafeTensorsContainer;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.TensorType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/** Puts a graph into the container: constants in the canonical order, the graph and checksums as metadata. */
final class ModelWriter {
    /** The data section starts at a multiple of this from the start of the file. */
    static final int DATA_ALIGNMENT = 64;

    private ModelWriter() {
    }

    static byte[] toBytes(Graph graph, Map<String, String> metadata) {
        // Sorted, so that the bytes do not depend on the caller's map order.
        Map<String, String> user = new TreeMap<>();
        for (var e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("model file: metadata keys and values must not be null");
            }
            if (ModelFile.RESERVED_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("model file: metadata key '" + e.getKey()
                        + "' is reserved for the file format (reserved: " + new TreeSet<>(ModelFile.RESERVED_KEYS) + ")");
            }
            user.put(e.getKey(), e.getValue());
        }
        List<SafeTensorsContainer.Blob> blobs = new ArrayList<>();
        for (Node.Constant c : canonicalOrder(graph)) {
            String name = c.output().name();
            if (name.equals(SafeTensorsContainer.METADATA)) {
                throw new IllegalArgumentException("model file: a constant cannot be named '" + SafeTensorsContainer.METADATA
                        + "' (safetensors reserves it)");
            }
            TensorType declared = c.output().type();
            if (c.value().dtype() != declared.dtype() || !Arrays.equals(c.value().shape(), declared.shape())) {
                throw new IllegalArgumentException("model file: constant '" + name + "' is declared " + declared
                        + " but holds a tensor of " + new TensorType(c.value().dtype(), c.value().shape()));
            }
            blobs.add(new SafeTensorsContainer.Blob(name, c.value().dtype(), c.value().shape(), TensorBytes.encode(c.value())));
        }
        String graphJson = GraphJson.write(graph);
        Map<String, String> header = new LinkedHashMap<>();
        header.put(ModelFile.KEY_FORMAT, ModelFile.FORMAT);
        header.put(ModelFile.KEY_VERSION, Integer.toString(ModelFile.VERSION));
        header.put(ModelFile.KEY_DATA_CRC, SafeTensorsContainer.dataCrc(blobs));
        header.put(ModelFile.KEY_GRAPH_CRC, crc32c(graphJson));
        header.put(ModelFile.KEY_HEADER_CRC, "00000000"); // filled in once the header's bytes exist
        header.putAll(user);
        header.put(ModelFile.KEY_GRAPH, graphJson);
        return SafeTensorsContainer.sealHeader(SafeTensorsContainer.write(header, blobs, DATA_ALIGNMENT));
    }

    /**
     * The constants in graph order, stably sorted by element size, largest first: with the data section on a
     * 64-byte boundary and no gaps, every tensor then starts at a multiple of its element size.
     */
    static List<Node.Constant> canonicalOrder(Graph graph) {
        List<Node.Constant> constants = new ArrayList<>(graph.constants());
        constants.sort(Comparator.comparingInt((Node.Constant c) -> c.value().dtype().byteSize()).reversed());
        return constants;
    }

    static String crc32c(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return SafeTensorsContainer.hex(crc.getValue());
    }
}
