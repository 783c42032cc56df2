package dev.nabla.inference.format;

import dev.nabla.io.JsonInput;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.SafeTensors;
import dev.nabla.ops.Op;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per kind of damage the loader refuses; each checks that the message names the file and the problem. */
class ModelFileRefusalTest {
    private static final Path FILE = Path.of("models", "damaged.nabla");
    /** cnn(false): small, with convolutions, pooling, reshape and linear layers. */
    private static byte[] cnn;
    /** cnn(true): batch norms, so several f32[8] tensors that could swap places. */
    private static byte[] cnnBn;

    @BeforeAll
    static void files() {
        cnn = ModelFile.toBytes(ModelFileRoundTripTest.trace(TestModels.cnn(false)), Map.of("name", "test model"));
        cnnBn = ModelFile.toBytes(ModelFileRoundTripTest.trace(TestModels.cnn(true)), Map.of());
        ModelFile.read(FILE, cnn); // the undamaged files load
        ModelFile.read(FILE, cnnBn);
    }

    /** Asserts that reading {@code bytes} is refused with a message naming the file and holding each fragment. */
    static String refused(byte[] bytes, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> ModelFile.read(FILE, bytes));
        String message = e.getMessage();
        assertTrue(message.startsWith(FILE + ": "), message);
        for (String f : fragments) {
            assertTrue(message.contains(f), "expected '" + f + "' in: " + message);
        }
        return message;
    }

    private static byte[] editHeaderText(byte[] file, UnaryOperator<String> edit) {
        String text = FileSurgery.headerText(file).stripTrailing();
        String edited = edit.apply(text);
        assertTrue(!edited.equals(text), "the edit changed nothing");
        return FileSurgery.assemble(edited, FileSurgery.data(file));
    }

    private static byte[] withPrefix(byte[] file, long headerLength) {
        byte[] copy = file.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerLength);
        return copy;
    }

    // ------------------------------------------------------------------ container

    @Test
    void truncatedFilesAreRefusedWhereverTheyAreCut() {
        int dataStart = FileSurgery.dataStart(cnn);
        int[] cuts = {0, 3, 7, 8, 9, 200, dataStart - 1, dataStart, dataStart + 1, (dataStart + cnn.length) / 2,
                cnn.length - 1};
        for (int cut : cuts) {
            String message = refused(Arrays.copyOf(cnn, cut), "truncated");
            assertTrue(cut >= 8 || message.contains("too short for the 8-byte header length"), message);
        }
    }

    @Test
    void headerLengthsOutsideTheFileOrTheLimitAreRefused() {
        refused(withPrefix(cnn, 200L << 20), "header length 209715200 is outside 2 to 104857600 bytes");
        refused(withPrefix(cnn, -1), "header length -1 is outside");
        refused(withPrefix(cnn, 1), "header length 1 is outside");
        refused(withPrefix(cnn, cnn.length - 7), "needs " + (cnn.length + 1) + " bytes but the file has "
                + cnn.length, "truncated");
        // shorter than the JSON: the header ends inside it
        refused(withPrefix(cnn, FileSurgery.headerLength(cnn) / 2), "header is not valid JSON");
    }

    @Test
    void malformedJsonIsRefusedWithItsPosition() {
        refused(editHeaderText(cnn, t -> "[" + t.substring(1)), "header: expected the header object '{', found a list");
        refused(editHeaderText(cnn, t -> t + "x"), "header is not valid JSON");
        refused(editHeaderText(cnn, t -> t + "{}"), "header has content after its end: found an object");
        refused(editHeaderText(cnn, t -> t.substring(0, t.length() - 1)), "header is not valid JSON",
                "end-of-input");
        refused(editHeaderText(cnn, t -> t.replace("\"shape\":[8]", "\"shape\":[NaN]")), "header is not valid JSON",
                "NaN", "(at byte ");
        refused(editHeaderText(cnn, t -> t.replace("\"shape\":[8]", "\"shape\":[08]")), "header is not valid JSON",
                "Leading zeroes");
        refused(editHeaderText(cnn, t -> t.replace("\"shape\":[8]", "\"shape\":[8.0]")),
                "header: expected tensor '0.bias' shape entries (an integer), found number 8.0");
        refused(editHeaderText(cnn, t -> t.replace("\"shape\":[8]", "\"shape\":[" + "9".repeat(70) + "]")),
                "header is not valid JSON", "Number value length");
        refused(editHeaderText(cnn, t -> t.replace("\"shape\":[8]", "\"shape\":[99999999999]")),
                "header: expected tensor '0.bias' shape entries from 0 to 2147483647, found 99999999999");
        refused(editHeaderText(cnn, t -> t.replace("{\"__metadata__\"", "{/* comment */\"__metadata__\"")),
                "header is not valid JSON");
        refused(editHeaderText(cnn, t -> t.replace("\"name\":\"test model\"", "\"name\":7")),
                "header: expected __metadata__ value of 'name' (a string), found number 7");
        refused(editHeaderText(cnn, t -> t.replace("\"dtype\":\"F32\",", "\"dtype\":\"F32\",\"extra\":1,")),
                "has an unknown key 'extra'; expected dtype, shape and data_offsets");
    }

    @Test
    void theJsonReaderLimitsNesting() {
        // The reader refuses unexpected structure before it nests deeply; the parser's own limit is a second line.
        try (JsonInput in = JsonInput.of(FILE, "header", "[".repeat(40) + "]".repeat(40))) {
            FileFormatException e = assertThrows(FileFormatException.class, () -> {
                for (int i = 0; i < 40; i++) {
                    in.next();
                }
            });
            assertTrue(e.getMessage().startsWith(FILE + ": header is not valid JSON: Document nesting depth (17) "
                    + "exceeds the maximum allowed (16"), e.getMessage());
        }
    }

    @Test
    void duplicateKeysAreRefused() {
        refused(editHeaderText(cnn, t -> t.replace("{\"__metadata__\":{", "{\"__metadata__\":{\"format\":\"x\",")),
                "header is not valid JSON", "Duplicate field 'format'");
        refused(FileSurgery.replaceInGraph(cnn, "{\"inputs\":", "{\"inputs\":[],\"inputs\":"),
                "graph is not valid JSON", "Duplicate field 'inputs'");
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[][] damage = {
                {(byte) 0xC3, 0x28},              // a lead byte without its continuation
                {(byte) 0xC0, (byte) 0xAF},       // overlong '/'
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate (CESU-8)
                {(byte) 0xFF}};
        int at = indexOf(cnn, "test model".getBytes(StandardCharsets.US_ASCII));
        for (byte[] d : damage) {
            byte[] bytes = cnn.clone();
            System.arraycopy(d, 0, bytes, at, d.length); // same length: the header length stays right
            refused(bytes, "header is not valid UTF-8: a malformed byte sequence at byte " + (at - 8));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void entriesMustTileTheDataSectionExactly() {
        refused(FileSurgery.withHeader(cnn, h -> {
            List<Object> o = offsets(h, "0.bias");
            o.set(0, (Long) o.get(0) + 4);
            o.set(1, (Long) o.get(1) + 4);
        }), "tensor '0.bias' starts at data byte ", "(a gap)");
        refused(FileSurgery.withHeader(cnn, h -> offsets(h, "0.bias").set(0, 0L)),
                "tensor '0.bias' F32 [8] needs 32 bytes but its data_offsets");
        refused(FileSurgery.withHeader(cnn, h -> {
            List<Object> o = offsets(h, "0.bias");
            o.set(0, (Long) o.get(0) - 4);
            o.set(1, (Long) o.get(1) - 4);
        }), "(tensors overlap)");
        byte[] longer = Arrays.copyOf(FileSurgery.data(cnn), FileSurgery.data(cnn).length + 4);
        refused(FileSurgery.withData(cnn, longer), "(trailing bytes)");
        refused(FileSurgery.withHeader(cnn, h -> offsets(h, "0.bias").set(1, Long.MAX_VALUE)),
                "do not lie within the");
        refused(FileSurgery.withHeader(cnn, h -> offsets(h, "0.bias").add(0L)),
                "header: tensor '0.bias' data_offsets has more than 2 entries");
        refused(FileSurgery.withHeader(cnn, h -> offsets(h, "0.bias").remove(1)),
                "header: tensor '0.bias' data_offsets must be [begin, end], found 1 number(s)");
        refused(FileSurgery.withHeader(cnn, h -> entry(h, "0.bias").put("dtype", "U16")),
                "tensor '0.bias' has dtype 'U16'; expected one of F32, F64, BF16, F16, I64, I32, I8, BOOL");
        refused(FileSurgery.withHeader(cnn, h -> entry(h, "0.bias").put("dtype", "F16")),
                "tensor '0.bias' F16 [8] needs 16 bytes but its data_offsets");
        refused(FileSurgery.withHeader(cnn, h -> entry(h, "0.bias").put("shape", List.of(9L))),
                "tensor '0.bias' F32 [9] needs 36 bytes but its data_offsets");
        refused(FileSurgery.withHeader(cnn, h -> entry(h, "0.bias").put("shape",
                List.of(65536L, 65536L, 65536L, 0L))), "has more than 2147483647 elements");
        refused(FileSurgery.withHeader(cnn, h -> entry(h, "0.bias").remove("shape")),
                "needs dtype, shape and data_offsets; found no shape");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Map<String, Object> header, String name) {
        return (Map<String, Object>) header.get(name);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> offsets(Map<String, Object> header, String name) {
        List<Object> o = new ArrayList<>((List<Object>) entry(header, name).get("data_offsets"));
        entry(header, name).put("data_offsets", o);
        return o;
    }

    // ------------------------------------------------------------------ format, version, checksums

    @Test
    void otherFormatsAndNewerVersionsAreRefusedClearly() {
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("format", "onnx")),
                "not a Nabla model file: format is \"onnx\", expected \"nabla-model\"");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).remove("format")),
                "not a Nabla model file: a safetensors file without 'format' metadata");
        byte[] plain = SafeTensors.toBytes(Map.of("w", Tensor.of(new float[]{1, 2})), Map.of());
        refused(plain, "not a Nabla model file");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("format_version", "2")),
                "format version 2 is newer than this reader, which reads version 1; load it with a newer Nabla");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("format_version", "1.0")),
                "format_version is \"1.0\"; expected a version number");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("format_version", "0")),
                "format version 0 is not supported");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).remove("format_version")),
                "__metadata__ has no 'format_version'");
    }

    @Test
    void aFlippedWeightBitFailsTheDataChecksum() {
        byte[] bytes = cnn.clone();
        bytes[FileSurgery.dataStart(bytes) + 100] ^= 0x10;
        refused(bytes, "data checksum mismatch: the tensor data is corrupt (data_crc32c is ");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("data_crc32c", "XYZ")),
                "data_crc32c is \"XYZ\"; expected 8 lowercase hex digits");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).remove("data_crc32c")),
                "__metadata__ has no 'data_crc32c'");
    }

    @Test
    void aChangedHeaderFailsTheHeaderChecksum() {
        String text = FileSurgery.headerText(cnn);
        int at = text.indexOf("\"dtype\":\"F32\"") + "\"dtype\":\"".length();
        byte[] bytes = cnn.clone();
        bytes[8 + at] = 'I'; // F32 -> I32: same size, so only the header checksum sees it
        refused(bytes, "header checksum mismatch: the header is corrupt (header_crc32c is ");
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("header_crc32c", "12345678")),
                "header checksum mismatch");
    }

    @Test
    void aChangedGraphFailsTheGraphChecksum() {
        String graph = FileSurgery.graph(cnn);
        refused(FileSurgery.withHeader(cnn, h -> FileSurgery.metadata(h).put("graph", graph.replace("relu", "tanh"))),
                "graph checksum mismatch: the graph description is corrupt");
    }

    @Test
    void tensorsCannotSwapPlacesUnnoticed() {
        // running_mean and running_var are both f32[8]: swap their offsets and their bytes, so the data checksum
        // still holds; only the layout rule notices that each name now points at the other's values.
        byte[] data = FileSurgery.data(cnnBn);
        Map<String, Object> header = FileSurgery.header(cnnBn);
        List<Object> mean = offsets(header, "1.running_mean");
        List<Object> var = offsets(header, "1.running_var");
        int m = (int) (long) (Long) mean.get(0);
        int v = (int) (long) (Long) var.get(0);
        byte[] swapped = data.clone();
        System.arraycopy(data, m, swapped, v, 32);
        System.arraycopy(data, v, swapped, m, 32);
        byte[] bytes = FileSurgery.withHeader(cnnBn, h -> {
            entry(h, "1.running_mean").put("data_offsets", List.of((long) v, (long) v + 32));
            entry(h, "1.running_var").put("data_offsets", List.of((long) m, (long) m + 32));
        });
        bytes = FileSurgery.withData(bytes, swapped);
        refused(bytes, "tensor '1.running_mean' starts at data byte " + v + " but the layout (constants in graph "
                + "order, 8-byte dtypes first, then 4-byte, then 1-byte) puts it at " + m);
    }

    // ------------------------------------------------------------------ tensors against the graph

    @Test
    void everyConstantNeedsItsTensorAndEveryTensorItsConstant() {
        String graph = FileSurgery.graph(cnn);
        refused(FileSurgery.withGraph(cnn, graph.replace("\"0.bias\"", "\"0.offset\"")),
                "graph: constant node 2 ('0.offset') has no tensor entry in the header");
        refused(FileSurgery.withHeader(cnn, h -> h.put("ghost", Map.of("dtype", "F32", "shape", List.of(0L),
                "data_offsets", List.of(0L, 0L)))), "tensor 'ghost' is not a constant of the graph");
        byte[] data = FileSurgery.data(cnn);
        byte[] bytes = FileSurgery.withHeader(cnn, h -> h.put("extra", Map.of("dtype", "I32", "shape", List.of(1L),
                "data_offsets", List.of((long) data.length, (long) data.length + 4))));
        refused(FileSurgery.withData(bytes, Arrays.copyOf(data, data.length + 4)),
                "tensor 'extra' is not a constant of the graph");
    }

    @Test
    void aConstantsDtypeAndShapeMustMatchItsTensor() {
        refused(FileSurgery.replaceInGraph(cnn, "{\"dtype\":\"f32\",\"shape\":[8]}", "{\"dtype\":\"f64\",\"shape\":[8]}"),
                "graph: constant node 2 ('0.bias') is declared f64[8] but its tensor entry is F32 [8]");
        refused(FileSurgery.replaceInGraph(cnn, "{\"dtype\":\"f32\",\"shape\":[8]}", "{\"dtype\":\"f32\",\"shape\":[2,4]}"),
                "graph: constant node 2 ('0.bias') is declared f32[2,4] but its tensor entry is F32 [8]");
        refused(FileSurgery.withHeader(cnn, h -> entry(h, "0.bias").put("dtype", "I32")),
                "graph: constant node 2 ('0.bias') is declared f32[8] but its tensor entry is I32 [8]");
    }

    @Test
    void boolTensorsHoldOnlyZeroAndOne() {
        byte[] mixed = ModelFile.toBytes(ModelFileRoundTripTest.mixedDtypes(), Map.of());
        byte[] data = FileSurgery.data(mixed);
        data[data.length - 2] = 2; // the bool mask is last (1-byte dtypes last), 3 bytes long
        refused(FileSurgery.withData(mixed, data), "tensor 'mask': bool element 1 holds byte 2; expected 0 or 1");
    }

    // ------------------------------------------------------------------ the graph

    @Test
    void malformedNodesAreRefusedNamingTheNode() {
        refused(FileSurgery.replaceInGraph(cnn, "\"kind\":\"call\"", "\"kind\":\"layer\""),
                "graph: node 3 ('%3') has kind 'layer'; expected input, constant or call");
        refused(FileSurgery.replaceInGraph(cnn, "\"role\":\"parameter\"", "\"role\":\"weights\""),
                "graph: node 1 ('0.weight') has role 'weights'; expected parameter, buffer or constant");
        refused(FileSurgery.replaceInGraph(cnn, "\"role\":\"parameter\"", "\"role\":\"parameter\",\"op\":\"relu\""),
                "graph: node 1 ('0.weight') is a constant and cannot have op, attributes or inputs");
        refused(FileSurgery.replaceInGraph(cnn, ",\"scope\":{\"path\":\"0\",\"type\":\"Conv2d\"},\"op\"", ",\"op\""),
                "graph: node 3 ('%3') needs 'scope'");
        refused(FileSurgery.replaceInGraph(cnn, "\"name\":\"input\",", "\"name\":\"input\",\"color\":\"red\","),
                "graph: node 0 has an unknown key 'color'");
        refused(FileSurgery.replaceInGraph(cnn, "\"dtype\":\"f32\"", "\"dtype\":\"float32\""),
                "graph: node 0 type has dtype 'float32'; expected f32, f64, bf16, f16, i64, i32, i8 or bool");
        refused(FileSurgery.replaceInGraph(cnn, "\"name\":\"input\"", "\"name\":\"\""), "graph: node 0 has an empty name");
        refused(FileSurgery.replaceInGraph(cnn, "\"nodes\":[", "\"nodes\":[7,"),
                "graph: expected node 0 (an object), found number 7");
        refused(FileSurgery.withGraph(cnn, "{\"inputs\":[],\"outputs\":[]}"), "graph needs inputs, outputs and nodes; "
                + "found no nodes");
    }

    @Test
    void unknownOpsAreRefused() {
        refused(FileSurgery.replaceInGraph(cnn, "\"op\":\"relu\"", "\"op\":\"relu6\""),
                "graph: node ", "unknown op 'relu6'");
    }

    @Test
    void badAttributesAreRefusedNamingTheOpAndAttribute() {
        refused(FileSurgery.replaceInGraph(cnn, "\"groups\":1", "\"groups\":0"),
                "graph: node 3 ('%3'): op 'conv2d': attribute 'groups' must be an integer >= 1, found 0");
        refused(FileSurgery.replaceInGraph(cnn, "\"stride\":[1,1]", "\"stride\":[1]"),
                "op 'conv2d': attribute 'stride' must be a pair");
        refused(FileSurgery.replaceInGraph(cnn, "\"bias\":true", "\"bias\":true,\"alpha\":0.5"),
                "op 'conv2d': unknown attribute 'alpha'");
        refused(FileSurgery.replaceInGraph(cnn, ",\"groups\":1", ""), "op 'conv2d': missing attribute 'groups'");
        refused(FileSurgery.replaceInGraph(cnn, "\"bias\":true", "\"bias\":null"),
                "graph: expected node 3 attributes 'bias' (a number, boolean, string or list of integers), found null");
        refused(FileSurgery.replaceInGraph(cnn, "\"bias\":true", "\"bias\":1e999"),
                "node 3 attributes 'bias' 1e999 is out of the range of a double");
    }

    @Test
    void valuesMustBeMadeBeforeTheyAreRead() {
        String graph = FileSurgery.graph(cnn);
        refused(FileSurgery.withGraph(cnn, graph.replace("\"inputs\":[\"input\",\"0.weight\"",
                "\"inputs\":[\"%4\",\"0.weight\"")), "graph: node 3 ('%3') reads '%4' before it is made; nodes must "
                + "come after the values they read");
        refused(FileSurgery.withGraph(cnn, graph.replace("\"inputs\":[\"input\",\"0.weight\"",
                "\"inputs\":[\"nowhere\",\"0.weight\"")), "reads 'nowhere' before it is made, and no node makes it");
        refused(FileSurgery.replaceInGraph(cnn, "\"name\":\"%4\"", "\"name\":\"%3\""),
                "graph: node 4 ('%3') has the name of node 3; names must be unique");
        refused(FileSurgery.replaceInGraph(cnn, "{\"inputs\":[\"input\"]", "{\"inputs\":[]"),
                "graph: inputs [] do not match the input nodes [input]");
        refused(FileSurgery.withGraph(cnn, graph.replace("\"outputs\":[\"", "\"outputs\":[\"nothing\",\"")),
                "graph: output 'nothing' is made by no node");
    }

    @Test
    void declaredTypesAreCheckedByRunningTheGraph() {
        // %3 is the first convolution, [N, 8, 8, 8]
        refused(FileSurgery.replaceInGraph(cnn, "\"shape\":[-1,8,8,8]", "\"shape\":[-1,8,8,9]"),
                "graph does not run as declared (dry run on zeros at batch size 2)",
                "%3 is declared f32[N,8,8,9] but computes FLOAT32 [2, 8, 8, 8]");
        // a batch dimension declared as a fixed 2 holds at batch size 2 only: the second run catches it
        refused(FileSurgery.replaceInGraph(cnn, "\"shape\":[-1,8,8,8]", "\"shape\":[2,8,8,8]"),
                "dry run on zeros at batch size 3", "%3 is declared f32[2,8,8,8]");
        // without a batched input the batch size is always 1, so batched values could not be verified
        refused(FileSurgery.replaceInGraph(cnn, "\"shape\":[-1,1,8,8]", "\"shape\":[1,1,8,8]"),
                "graph: node 3 ('%3') is declared f32[N,8,8,8], with a batch dimension, but no graph input has one");
        refused(FileSurgery.replaceInGraph(cnn, "\"op\":\"relu\"", "\"op\":\"logical_not\""),
                "graph does not run as declared");
        // the first max pool with stride 1: a larger result than declared
        refused(FileSurgery.replaceInGraph(cnn, "\"kernel\":[2,2],\"stride\":[2,2]", "\"kernel\":[2,2],\"stride\":[1,1]"),
                "is declared f32[N,8,4,4] but computes FLOAT32 [2, 8, 7, 7]");
        // a pool padding larger than half its window: the op's own check against its operands refuses it
        refused(FileSurgery.replaceInGraph(cnn, "\"kernel\":[2,2],\"stride\":[2,2],\"padding\":[0,0]",
                "\"kernel\":[2,2],\"stride\":[2,2],\"padding\":[3,3]"), "must be at most half the kernel");
    }

    @Test
    void hugeDeclaredShapesAreRefusedBeforeAnythingIsAllocated() {
        long before = usedHeap();
        refused(FileSurgery.replaceInGraph(cnn, "\"shape\":[-1,1,8,8]", "\"shape\":[-1,1,100000,100000]"),
                "graph: the inputs and results declared up to node 0 ('input') (f32[N,1,100000,100000]) need more "
                        + "than 1073741824 bytes at batch size 3");
        refused(FileSurgery.replaceInGraph(cnn, "\"shape\":[-1,1,8,8]", "\"shape\":[-1000000000,1,8,8]"),
                "is declared f32[1000000000N,1,8,8], a dimension too large for a tensor at batch size 3");
        // shapes that overflow a long when multiplied must not wrap around to something small
        refused(FileSurgery.replaceInGraph(cnn, "\"shape\":[-1,1,8,8]",
                "\"shape\":[-1,2147483647,2147483647,2147483647,2147483647]"), "need more than 1073741824 bytes");
        // the first convolution with a huge padding: its declared result is small, its real one is not
        refused(FileSurgery.replaceInGraph(cnn, "\"padding\":[1,1]", "\"padding\":[30000,30000]"),
                "graph: node 3 ('%3') = conv2d could allocate up to ", "more than the limit of 1073741824");
        assertTrue(usedHeap() - before < 256L << 20, "the refusals allocated " + (usedHeap() - before) + " bytes");
    }

    @Test
    void workBeyondTheLimitIsRefused() {
        GraphEditor g = GraphEditor.empty();
        TensorType square = new TensorType(DType.FLOAT32, new int[]{6000, 6000});
        Value x = g.input("x", square);
        Value y = g.call(new Op.MatMul(), square, Scope.NONE, x, x);
        g.setOutputs(List.of(y));
        Graph graph = g.build();
        refused(ModelFile.toBytes(graph, Map.of()), "graph: checking the calls up to node 1 ('%1') would take more "
                + "than 137438953472 multiply-adds");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
