package dev.nabla.inference.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs exported models in ONNX Runtime and compares them with Nabla's interpreter. */
final class Ort {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private Ort() {
    }

    /** A session for a model; one intra-op thread, since tests share the machine. */
    static OrtSession session(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return ENV.createSession(model, options);
        }
    }

    static OrtSession session(String path) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return ENV.createSession(path, options);
        }
    }

    /** The outputs of {@code session} for {@code inputs}, given in the order of {@code names}. */
    static List<Tensor> run(OrtSession session, List<String> names, List<Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (int i = 0; i < inputs.size(); i++) {
                feed.put(names.get(i), toOrt(inputs.get(i)));
            }
            try (OrtSession.Result result = session.run(feed)) {
                List<Tensor> out = new ArrayList<>();
                for (int i = 0; i < result.size(); i++) {
                    out.add(fromOrt((OnnxTensor) result.get(i)));
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxValue::close);
        }
    }

    /** Exports {@code graph}, runs it in ONNX Runtime and returns its outputs. */
    static List<Tensor> run(Graph graph, List<Tensor> inputs) throws OrtException {
        List<String> names = graph.inputs().stream().map(v -> v.name()).toList();
        try (OrtSession session = session(OnnxExport.toBytes(graph, "test"))) {
            return run(session, names, inputs);
        }
    }

    /**
     * Runs {@code graph} in Nabla's interpreter and in ONNX Runtime and compares every output: floating outputs to
     * {@code tolerance} (largest difference over largest magnitude) with NaN and infinities in the same places,
     * integer and boolean outputs exactly.
     */
    static void assertMatches(Graph graph, List<Tensor> inputs, double tolerance, String what) throws OrtException {
        List<Tensor> expected = Interpreter.run(graph, inputs, true);
        List<Tensor> actual = run(graph, inputs);
        assertEquals(expected.size(), actual.size(), what + ": number of outputs");
        for (int i = 0; i < expected.size(); i++) {
            assertSame(expected.get(i), actual.get(i), tolerance, what + " output " + i);
        }
    }

    static void assertSame(Tensor expected, Tensor actual, double tolerance, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        switch (expected.dtype()) {
            case FLOAT32, FLOAT64 -> assertClose(expected.toDoubleArray(), actual.toDoubleArray(), tolerance, what);
            case INT64, INT32 -> assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
            case BOOL -> assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), what);
        }
    }

    static void assertClose(double[] e, double[] a, double tolerance, String what) {
        double maxDiff = 0;
        double maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i]) || Double.isInfinite(e[i])) {
                if (Double.compare(e[i], a[i]) != 0) {
                    fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
                }
                continue;
            }
            if (!Double.isFinite(a[i])) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
            }
            maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
            maxAbs = Math.max(maxAbs, Math.abs(e[i]));
        }
        double error = maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
        assertTrue(error <= tolerance, what + ": relative error " + error + " above " + tolerance);
    }

    static OnnxTensor toOrt(Tensor t) throws OrtException {
        long[] shape = new long[t.rank()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = t.size(d);
        }
        return switch (t.dtype()) {
            case FLOAT32 -> OnnxTensor.createTensor(ENV, FloatBuffer.wrap(t.toFloatArray()), shape);
            case FLOAT64 -> OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(t.toDoubleArray()), shape);
            case INT64 -> OnnxTensor.createTensor(ENV, LongBuffer.wrap(t.toLongArray()), shape);
            case INT32 -> OnnxTensor.createTensor(ENV, IntBuffer.wrap(t.toIntArray()), shape);
            case INT8 -> OnnxTensor.createTensor(ENV, ByteBuffer.wrap(t.toByteArray()), shape, OnnxJavaType.INT8);
            case BFLOAT16 -> OnnxTensor.createTensor(ENV, java.nio.ShortBuffer.wrap(t.halfBits()), shape,
                    OnnxJavaType.BFLOAT16);
            case FLOAT16 -> OnnxTensor.createTensor(ENV, java.nio.ShortBuffer.wrap(t.halfBits()), shape,
                    OnnxJavaType.FLOAT16);
            case BOOL -> {
                boolean[] values = t.toBooleanArray();
                ByteBuffer bytes = ByteBuffer.allocateDirect(values.length);
                for (boolean b : values) {
                    bytes.put((byte) (b ? 1 : 0));
                }
                bytes.rewind();
                yield OnnxTensor.createTensor(ENV, bytes, shape, OnnxJavaType.BOOL);
            }
        };
    }

    static Tensor fromOrt(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        long[] wide = info.getShape();
        int[] shape = new int[wide.length];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = Math.toIntExact(wide[d]);
        }
        Tensor flat = switch (info.type) {
            case FLOAT -> Tensor.of(copy(t.getFloatBuffer()));
            case DOUBLE -> Tensor.of(copy(t.getDoubleBuffer()));
            case INT64 -> Tensor.of(copy(t.getLongBuffer()));
            case INT32 -> Tensor.of(copy(t.getIntBuffer()));
            case INT8 -> {
                ByteBuffer bytes = t.getByteBuffer();
                byte[] values = new byte[bytes.remaining()];
                bytes.get(values);
                yield Tensor.of(values);
            }
            case FLOAT16, BFLOAT16 -> {
                java.nio.ShortBuffer bits = t.getShortBuffer();
                short[] values = new short[bits.remaining()];
                bits.get(values);
                yield Tensor.ofHalfBits(info.type == ai.onnxruntime.OnnxJavaType.FLOAT16 ? dev.nabla.DType.FLOAT16
                        : dev.nabla.DType.BFLOAT16, values, values.length);
            }
            case BOOL -> {
                ByteBuffer bytes = t.getByteBuffer();
                boolean[] values = new boolean[bytes.remaining()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = bytes.get(i) != 0;
                }
                yield Tensor.of(values);
            }
            default -> throw new AssertionError("unexpected ONNX Runtime output type " + info.type);
        };
        // Tensor.of with no shape makes a 1-d tensor; reshape gives 0-d outputs their rank
        return flat.reshape(shape);
    }

    private static float[] copy(FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    private static double[] copy(DoubleBuffer b) {
        double[] out = new double[b.remaining()];
        b.get(out);
        return out;
    }

    private static long[] copy(LongBuffer b) {
        long[] out = new long[b.remaining()];
        b.get(out);
        return out;
    }

    private static int[] copy(IntBuffer b) {
        int[] out = new int[b.remaining()];
        b.get(out);
        return out;
    }
}
