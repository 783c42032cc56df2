package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.NablaException;
import dev.nabla.Tensor;
import dev.nabla.engine.Convolutions;
import dev.nabla.engine.Dense;
import dev.nabla.engine.Ops;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ops#run}: op records run as data (a graph replayed from a file) give what the tensor methods give, and
 * a record whose attributes do not fit its inputs is refused with the op's name, never run on wrong elements.
 */
public abstract class OpRecordSuite extends BackendTestBase {

    private static void assertRefused(Executable call, String... fragments) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertTrue(e instanceof NablaException || e instanceof IllegalArgumentException, "typed error: " + e);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
    }

    private static Tensor matrix() {
        return Tensor.arange(0, 6, 1).to(DType.FLOAT32).reshape(2, 3);
    }

    @Test
    void recordsRunAsTheTensorMethodsDo() {
        Tensor x = matrix();
        assertArrayEquals(x.relu().toFloatArray(), Ops.run(new Op.Unary(UnaryOp.RELU), x).toFloatArray());
        assertArrayEquals(x.add(x).toFloatArray(), Ops.run(new Op.Binary(BinaryOp.ADD), x, x).toFloatArray());
        assertArrayEquals(x.t().toFloatArray(), Ops.run(new Op.Permute(new int[]{1, 0}), x).toFloatArray());
        assertArrayEquals(x.sum(1).toFloatArray(),
                Ops.run(new Op.Reduce(ReduceOp.SUM, new int[]{1}, false), x).toFloatArray());
        assertArrayEquals(new int[]{3, 2}, Ops.run(new Op.Reshape(new int[]{3, 2}), x).shape());
        Tensor image = Tensor.arange(0, 16, 1).to(DType.FLOAT32).reshape(1, 1, 4, 4);
        Conv2dGeometry pool = Conv2dGeometry.of(2, 2, 0, 1);
        assertArrayEquals(dev.nabla.nn.Functional.maxPool2d(image, 2, 2, 0).toFloatArray(),
                Ops.run(new Op.MaxPool2d(pool), image).toFloatArray());
    }

    @Test
    void fusedOpsGiveExactlyWhatTheirPartsGive() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = NnReference.f64(NnReference.random(1, 3 * 2 * 6 * 5, -1, 1), 3, 2, 6, 5).to(dtype);
            Tensor w = NnReference.f64(NnReference.random(2, 4 * 2 * 3 * 3, -1, 1), 4, 2, 3, 3).to(dtype);
            Tensor b = NnReference.f64(NnReference.random(3, 4, -1, 1), 4).to(dtype);
            Conv2dGeometry g = Conv2dGeometry.of(3, 1, 1, 1);
            Tensor conv = Convolutions.conv2d(x, w, b, g, 1);
            assertBits(conv.relu(), Ops.run(new Op.Conv2d(g, 1, true, FusedActivation.RELU), x, w, b));
            Tensor in = NnReference.f64(NnReference.random(4, 2 * 5 * 12, -1, 1), 2, 5, 12).to(dtype);
            Tensor lw = NnReference.f64(NnReference.random(5, 7 * 12, -1, 1), 7, 12).to(dtype);
            Tensor lb = NnReference.f64(NnReference.random(6, 7, -1, 1), 7).to(dtype);
            Tensor product = in.matmul(lw.t());
            assertBits(product.add(lb).relu(), Ops.run(new Op.Linear(true, FusedActivation.RELU), in, lw, lb));
            assertBits(product.add(lb), Ops.run(new Op.Linear(true, FusedActivation.NONE), in, lw, lb));
            assertBits(product.relu(), Ops.run(new Op.Linear(false, FusedActivation.RELU), in, lw));
            assertBits(product, Dense.linear(in, lw, null));
        }
    }

    @Test
    void dequantizeScalesInt8ValuesPerIndexOfOneDimension() {
        Tensor q = Tensor.of(new byte[]{-127, 0, 5, 127, -3, 64}, 2, 3);
        Tensor scales = Tensor.of(new float[]{0.5f, 0.25f});
        assertBits(Tensor.of(new float[]{-63.5f, 0, 2.5f, 31.75f, -0.75f, 16}, 2, 3),
                Ops.run(new Op.Dequantize(0), q, scales));
        Tensor perColumn = Tensor.of(new float[]{1, 2, 3});
        assertBits(Tensor.of(new float[]{-127, 0, 15, 127, -6, 192}, 2, 3), Ops.run(new Op.Dequantize(1), q, perColumn));
        assertRefused(() -> Ops.run(new Op.Dequantize(1), q, scales), "dequantize", "dimension 1 (3)");
        assertRefused(() -> Ops.run(new Op.Dequantize(0), q.to(DType.INT32), scales), "dequantize", "INT8");
        assertRefused(() -> Ops.run(new Op.Dequantize(2), q, scales), "dequantize", "dimension 2");
    }

    @Test
    void quantizedLinearComputesTheQuantizedInputTimesTheWeightsAtEveryRowCount() {
        Tensor w = NnReference.f32(NnReference.random(21, 7 * 40, -1, 1), 7, 40);
        float[] scales = new float[7];
        float[] wv = w.toFloatArray();
        byte[] q = new byte[wv.length];
        for (int o = 0; o < 7; o++) {
            float max = 0;
            for (int i = 0; i < 40; i++) {
                max = Math.max(max, Math.abs(wv[o * 40 + i]));
            }
            scales[o] = max / 127;
            for (int i = 0; i < 40; i++) {
                q[o * 40 + i] = (byte) Math.round(wv[o * 40 + i] / scales[o]);
            }
        }
        Tensor wq = Tensor.of(q).reshape(7, 40);
        Tensor ws = Tensor.of(scales);
        Tensor wf = Ops.run(new Op.Dequantize(0), wq, ws);
        Tensor b = NnReference.f32(NnReference.random(22, 7, -1, 1), 7);
        double inputScale = 2.0 / 127;
        for (int rows : new int[]{1, 3, 4, 5, 33}) {
            double[] xv = NnReference.random(23 + rows, rows * 40, -2.5, 2.5);
            xv[5] = Double.POSITIVE_INFINITY;  // clamps to 127
            xv[(rows - 1) * 40 + 3] = Double.NaN; // the last row's outputs are NaN on every path
            Tensor x = NnReference.f32(xv, rows, 40);
            float s = (float) inputScale;
            Tensor expected = Dense.linear(x.div(s).round().clamp(-127, 127).mul(s), wf, b, FusedActivation.RELU);
            Tensor actual = Ops.run(new Op.QuantizedLinear(true, FusedActivation.RELU, inputScale), x, wq, ws, wf, b);
            float[] e = expected.toFloatArray();
            float[] a = actual.toFloatArray();
            for (int i = 0; i < e.length; i++) {
                boolean close = Float.isNaN(e[i]) ? Float.isNaN(a[i]) : Math.abs(e[i] - a[i]) <= 1e-5 * (1 + Math.abs(e[i]));
                assertTrue(close, rows + " rows, element " + i + ": " + a[i] + " against " + e[i]);
                assertEquals(i >= (rows - 1) * 7, Float.isNaN(a[i]), rows + " rows, element " + i + ": " + a[i]);
            }
        }
        assertRefused(() -> Ops.run(new Op.QuantizedLinear(false, FusedActivation.NONE, 0.1), Tensor.ones(2, 40), wf,
                ws, wf), "quantized_linear", "INT8");
    }

    @Test
    void runIntoWritesTheResultIntoTheGivenTensorOrRefuses() {
        Tensor x = matrix();
        Tensor into = Tensor.zeros(2, 3);
        Tensor result = Ops.runInto(new Op.Unary(UnaryOp.EXP), into, x);
        assertTrue(result == into);
        assertBits(x.exp(), into);
        Tensor slice = Tensor.zeros(10).narrow(0, 2, 6).reshape(2, 3);
        Ops.runInto(new Op.Linear(false, FusedActivation.RELU), slice, x, Tensor.eye(3));
        assertBits(x.relu(), slice);
        assertRefused(() -> Ops.runInto(new Op.Unary(UnaryOp.EXP), Tensor.zeros(3, 2), x), "exp", "[2, 3]");
        assertRefused(() -> Ops.runInto(new Op.Unary(UnaryOp.EXP), Tensor.zeros(3, 2).t(), x), "not contiguous");
        assertRefused(() -> Ops.runInto(new Op.Unary(UnaryOp.EXP), Tensor.zeros(DType.FLOAT64, 2, 3), x), "FLOAT64");
        assertRefused(() -> Ops.runInto(new Op.Permute(new int[]{1, 0}), Tensor.zeros(3, 2), x), "permute");
        Tensor leaf = matrix().requiresGrad(true);
        Tensor untouched = Tensor.zeros(2, 3);
        assertRefused(() -> Ops.runInto(new Op.Unary(UnaryOp.EXP), untouched, leaf), "exp", "autograd");
        assertBits(Tensor.zeros(2, 3), untouched); // refused before anything was written
        // slices of one buffer: disjoint ones are fine, overlapping ones refused
        Tensor arena = Tensor.zeros(20);
        Tensor a = arena.narrow(0, 0, 6).reshape(2, 3);
        Tensor b = arena.narrow(0, 6, 6).reshape(2, 3);
        Tensor c = arena.narrow(0, 3, 6).reshape(2, 3);
        Ops.runInto(new Op.Unary(UnaryOp.EXP), a, x);
        Ops.runInto(new Op.Unary(UnaryOp.NEG), b, a);
        assertBits(x.exp().neg(), b);
        assertRefused(() -> Ops.runInto(new Op.Unary(UnaryOp.NEG), c, a), "neg", "overlaps");
        assertRefused(() -> Ops.runInto(new Op.Unary(UnaryOp.NEG), a, a), "neg", "overlaps");
    }

    private static void assertBits(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0.0);
    }

    @Test
    void attributesThatDoNotFitTheInputsAreRefused() {
        Tensor x = matrix();
        assertRefused(() -> Ops.run(new Op.Reshape(new int[]{4, 2}), x), "reshape", "[4, 2]", "6");
        assertRefused(() -> Ops.run(new Op.Reshape(new int[]{-1, 3}), x), "reshape");
        assertRefused(() -> Ops.run(new Op.Permute(new int[]{0, 0}), x), "permute", "not a permutation");
        assertRefused(() -> Ops.run(new Op.Permute(new int[]{0}), x), "permute");
        assertRefused(() -> Ops.run(new Op.Expand(new int[]{4, 3}), x), "expand", "[4, 3]");
        assertRefused(() -> Ops.run(new Op.Slice(1, 1, 5, 1), x), "slice", "dimension 1");
        assertRefused(() -> Ops.run(new Op.Slice(2, 0, 1, 1), x), "slice");
        assertRefused(() -> Ops.run(new Op.Slice(0, 1, 0, 1), x), "slice");
        assertRefused(() -> Ops.run(new Op.Reduce(ReduceOp.SUM, new int[]{1, 0}, false), x), "sum", "sorted");
        assertRefused(() -> Ops.run(new Op.Reduce(ReduceOp.MAX, new int[]{2}, false), x), "max", "dimension 2");
        assertRefused(() -> Ops.run(new Op.Cat(3), x, x), "cat");
        assertRefused(() -> Ops.run(new Op.Cat(0), x, Tensor.ones(2, 4)), "cat", "[2, 4]");
        assertRefused(() -> Ops.run(new Op.Pad(new int[]{1, 1, 1, 1, 1, 1}, 0), x), "pad");
        assertRefused(() -> Ops.run(new Op.Gather(0), x, Tensor.zeros(DType.INT64, 2, 4)), "gather", "[2, 4]");
        assertRefused(() -> Ops.run(new Op.Gather(0), x, Tensor.zeros(DType.INT32, 1, 3)), "gather");
        assertRefused(() -> Ops.run(new Op.IndexSelect(0), x, Tensor.zeros(DType.INT64, 2, 2)), "index_select");
        assertRefused(() -> Ops.run(new Op.Binary(BinaryOp.ADD), x), "add", "expected 2 input tensors, found 1");
        assertRefused(() -> Ops.run(new Op.Where(), x, x), "where", "expected 3");
        assertRefused(() -> Ops.run(new Op.Linear(false, FusedActivation.NONE), x, Tensor.ones(4, 2)), "linear",
                "in_features");
        assertRefused(() -> Ops.run(new Op.Linear(true, FusedActivation.NONE), x, Tensor.ones(4, 3), Tensor.ones(3)),
                "linear", "bias");
    }

    @Test
    void windowRecordsAreCheckedAgainstTheirTensors() {
        Tensor image = Tensor.ones(1, 2, 5, 5);
        Tensor weight = Tensor.ones(4, 2, 3, 3);
        Conv2dGeometry g3 = Conv2dGeometry.of(3, 1, 1, 1);
        assertRefused(() -> Ops.run(new Op.Conv2d(Conv2dGeometry.of(5, 1, 0, 1), 1, false), image, weight),
                "conv2d", "kernel");
        assertRefused(() -> Ops.run(new Op.Conv2d(g3, 2, false), image, weight), "conv2d", "groups");
        assertRefused(() -> Ops.run(new Op.Conv2d(g3, 1, true), image, weight, Tensor.ones(3)), "conv2d", "bias");
        assertRefused(() -> Ops.run(new Op.Conv2d(g3, 1, true), image, weight), "conv2d", "expected 3");
        assertRefused(() -> Ops.run(new Op.Conv2d(g3, 1, false), image, weight.to(DType.FLOAT64)), "conv2d", "dtype");
        assertRefused(() -> Ops.run(new Op.MaxPool2d(Conv2dGeometry.of(2, 2, 0, 1)), Tensor.ones(5, 5)), "max_pool2d");
        assertRefused(() -> Ops.run(new Op.MaxPool2d(Conv2dGeometry.of(2, 2, 2, 1)), image), "max_pool2d", "padding");
        assertRefused(() -> Ops.run(new Op.MaxPool2d(Conv2dGeometry.of(7, 1, 0, 1)), image), "max_pool2d",
                "does not fit");
        assertRefused(() -> Ops.run(new Op.MaxPool2dBackward(Conv2dGeometry.of(2, 2, 0, 1)), Tensor.ones(1, 2, 3, 3),
                image), "max_pool2d_backward", "[1, 2, 2, 2]");
        assertRefused(() -> Ops.run(new Op.Conv2dBackwardData(g3, 1, 6, 6), Tensor.ones(1, 4, 5, 5), weight),
                "conv2d_backward_data");
        assertRefused(() -> Ops.run(new Op.Conv2dBackwardFilter(g3, 1, 3), image, Tensor.ones(1, 4, 5, 5)),
                "conv2d_backward_filter", "3 filters");
    }
}
