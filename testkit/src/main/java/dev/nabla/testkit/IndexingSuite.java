package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.NablaException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** cat, stack, split, chunk, pad, gather, scatterAdd, indexSelect, maskedFill, softmax, logSoftmax, oneHot. */
public abstract class IndexingSuite extends BackendTestBase {

    @Test
    void catAlongEachDimension() {
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[]{5, 6}, 1, 2);
        Tensor c0 = Tensor.cat(0, a, b);
        assertShape(c0, 3, 2);
        assertValues(c0, 1, 2, 3, 4, 5, 6);
        Tensor col = Tensor.of(new float[]{7, 8}, 2, 1);
        assertValues(Tensor.cat(1, a, col), 1, 2, 7, 3, 4, 8);
        assertValues(Tensor.cat(List.of(a, col, col), -1), 1, 2, 7, 7, 3, 4, 8, 8);
        assertValues(Tensor.cat(0, a.t(), b), 1, 3, 2, 4, 5, 6); // strided input
        assertValues(Tensor.cat(0, a, Tensor.zeros(0, 2)), 1, 2, 3, 4);
        Tensor mixed = Tensor.cat(0, i64(1, 2), f32(0.5f));
        assertDType(DType.FLOAT32, mixed);
        assertValues(mixed, 1, 2, 0.5);
        Tensor three = Tensor.cat(1, iota(2, 2, 2), iota(2, 1, 2));
        assertShape(three, 2, 3, 2);
        assertValues(three, 0, 1, 2, 3, 0, 1, 4, 5, 6, 7, 2, 3);
    }

    @Test
    void catAndStackAlwaysCopy() {
        // PyTorch's cat and stack return new tensors, also for a single input.
        Tensor a = f32(1, 2, 3);
        Tensor c = Tensor.cat(0, a);
        c.fillInPlace(0);
        assertValues(a, 1, 2, 3);
        Tensor s = Tensor.stack(List.of(a), 0);
        s.fillInPlace(0);
        assertValues(a, 1, 2, 3);
    }

    @Test
    void stackAddsADimension() {
        Tensor a = f32(1, 2);
        Tensor b = f32(3, 4);
        Tensor s0 = Tensor.stack(List.of(a, b), 0);
        assertShape(s0, 2, 2);
        assertValues(s0, 1, 2, 3, 4);
        Tensor s1 = Tensor.stack(List.of(a, b, a), 1);
        assertShape(s1, 2, 3);
        assertValues(s1, 1, 3, 1, 2, 4, 2);
        assertValues(Tensor.stack(List.of(a, b), -1), 1, 3, 2, 4);
        assertShape(Tensor.stack(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0), 2);
        assertThrows(ShapeException.class, () -> Tensor.stack(List.of(a, f32(1, 2, 3)), 0));
    }

    @Test
    void splitAndChunk() {
        Tensor x = iota(2, 5);
        List<Tensor> parts = x.split(2, 1);
        assertEquals(3, parts.size());
        assertValues(parts.get(0), 0, 1, 5, 6);
        assertValues(parts.get(1), 2, 3, 7, 8);
        assertShape(parts.get(2), 2, 1);
        assertValues(parts.get(2), 4, 9);
        List<Tensor> sized = x.split(new int[]{1, 0, 4}, -1);
        assertEquals(3, sized.size());
        assertShape(sized.get(1), 2, 0);
        assertValues(sized.get(2), 1, 2, 3, 4, 6, 7, 8, 9);
        assertThrows(ShapeException.class, () -> x.split(new int[]{1, 2}, 1));
        assertEquals(List.of(3, 3, 1), x.reshape(10).narrow(0, 0, 7).chunk(3, 0).stream().map(t -> t.size(0)).toList());
        assertEquals(List.of(2, 2, 2), iota(6).chunk(4, 0).stream().map(t -> t.size(0)).toList());
        assertEquals(List.of(3, 2), iota(5).chunk(2, 0).stream().map(t -> t.size(0)).toList());
        List<Tensor> rows = x.chunk(2, 0);
        assertValues(rows.get(1), 5, 6, 7, 8, 9);
    }

    @Test
    void constantPadAndCrop() {
        Tensor x = iota(2, 3);
        Tensor p = x.pad(1, 1);
        assertShape(p, 2, 5);
        assertValues(p, 0, 0, 1, 2, 0, 0, 3, 4, 5, 0);
        Tensor q = x.pad(new int[]{1, 0, 0, 1}, 9);
        assertShape(q, 3, 4);
        assertValues(q, 9, 0, 1, 2, 9, 3, 4, 5, 9, 9, 9, 9);
        Tensor crop = x.pad(-1, 1); // negative padding crops
        assertShape(crop, 2, 3);
        assertValues(crop, 1, 2, 0, 4, 5, 0);
        Tensor both = x.pad(new int[]{0, -2, -1, 0}, 0);
        assertShape(both, 1, 1);
        assertValues(both, 3);
        assertValues(x.t().pad(1, 0), 0, 0, 3, 0, 1, 4, 0, 2, 5); // strided input
        assertShape(iota(2, 2, 2).pad(new int[]{1, 1, 1, 1}, 0), 2, 4, 4);
        assertDType(DType.INT64, i64(1, 2).pad(new int[]{1, 1}, 7));
        assertLongs(i64(1, 2).pad(new int[]{1, 1}, 7), 7, 1, 2, 7);
    }

    @Test
    void gatherAlongDims() {
        Tensor src = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2);
        assertValues(src.gather(1, Tensor.of(new long[]{0, 0, 1, 0}, 2, 2)), 1, 1, 4, 3);
        assertValues(src.gather(0, Tensor.of(new long[]{0, 1, 1, 0}, 2, 2)), 1, 4, 3, 2);
        Tensor wide = iota(3, 4);
        Tensor g = wide.gather(1, Tensor.of(new long[]{2, 0}, 2, 1)); // index smaller than src
        assertShape(g, 2, 1);
        assertValues(g, 2, 4);
        assertValues(wide.gather(1, Tensor.of(new int[]{3, 3, 1}, 3, 1)), 3, 7, 9); // INT32 index
        assertValues(wide.t().gather(0, Tensor.of(new long[]{1, 2, 0}, 1, 3)), 1, 6, 8); // strided src
        assertLongs(i64(10, 20, 30).gather(0, i64(2, 2, 0)), 30, 30, 10);
    }

    @Test
    void scatterAddAccumulatesDuplicates() {
        Tensor self = Tensor.zeros(3);
        Tensor out = self.scatterAdd(0, i64(0, 1, 0, 2, 0), f32(1, 2, 3, 4, 5));
        assertValues(out, 9, 2, 4);
        assertValues(self, 0, 0, 0); // out of place
        Tensor m = Tensor.ones(2, 3).scatterAdd(1, Tensor.of(new long[]{0, 0, 2, 1}, 2, 2),
                Tensor.of(new float[]{1, 2, 3, 4}, 2, 2));
        assertValues(m, 4, 1, 1, 1, 5, 4);
        Tensor d0 = Tensor.zeros(2, 2).scatterAdd(0, Tensor.of(new long[]{1, 1, 1, 0}, 2, 2), iota(2, 2));
        assertValues(d0, 0, 3, 2, 1);
        // src may be larger than index: only the indexed part of src is used
        Tensor partial = Tensor.zeros(2, 3).scatterAdd(1, Tensor.of(new long[]{1}, 1, 1), Tensor.full(5, 2, 3));
        assertValues(partial, 0, 5, 0, 0, 0, 0);
        Tensor ints = i64(0, 0).scatterAdd(0, i64(1, 1, 1), i64(2, 3, 4));
        assertLongs(ints, 0, 9);
    }

    @Test
    void indexSelectRows() {
        Tensor x = iota(3, 4);
        Tensor r = x.indexSelect(0, i64(2, 0, 2));
        assertShape(r, 3, 4);
        assertValues(r, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);
        assertValues(x.indexSelect(1, i32(3, 1)), 3, 1, 7, 5, 11, 9);
        assertValues(x.indexSelect(-1, Tensor.scalar(DType.INT64, 2)), 2, 6, 10);
        assertShape(x.indexSelect(0, Tensor.zeros(DType.INT64, 0)), 0, 4);
        assertValues(x.t().indexSelect(0, i64(1)), 1, 5, 9); // strided src
        assertValues(x.indexSelect(0, i64(0, 1, 2).slice(0, 0, 3, 2)), 0, 1, 2, 3, 8, 9, 10, 11); // strided index
    }

    @Test
    void maskedFillBroadcastsTheMask() {
        Tensor x = iota(2, 3);
        Tensor filled = x.maskedFill(bools(true, false).reshape(2, 1), -1);
        assertValues(filled, -1, -1, -1, 3, 4, 5);
        assertValues(x, 0, 1, 2, 3, 4, 5);
        assertValues(x.maskedFill(x.gt(3), Double.NEGATIVE_INFINITY), 0, 1, 2, 3, Double.NEGATIVE_INFINITY,
                Double.NEGATIVE_INFINITY);
    }

    private static double[] naiveSoftmaxRows(double[] x, int rows, int cols, boolean log) {
        double[] r = new double[x.length];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[i * cols + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[i * cols + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                double z = x[i * cols + j] - max;
                r[i * cols + j] = log ? z - Math.log(sum) : Math.exp(z) / sum;
            }
        }
        return r;
    }

    @Test
    void softmaxRowsSumToOne() {
        double[] v = randomValues(5, 4 * 7, -6, 6);
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double[] in = dtype == DType.FLOAT32 ? roundedToFloat(v) : v;
            Tensor x = Tensor.of(in).reshape(4, 7).to(dtype);
            Tensor s = x.softmax(1);
            assertDType(dtype, s);
            assertValues(s, naiveSoftmaxRows(in, 4, 7, false));
            double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-14;
            assertValuesWithin(s.sum(1), 0, tol, 1, 1, 1, 1);
            assertValues(x.logSoftmax(-1), naiveSoftmaxRows(in, 4, 7, true));
            // along dim 0 = rows of the transpose
            assertValues(x.t().softmax(0).t(), naiveSoftmaxRows(in, 4, 7, false));
            assertValues(x.t().logSoftmax(0).t(), naiveSoftmaxRows(in, 4, 7, true));
        }
        assertValues(f32(1, 2, 3).softmax(0), naiveSoftmaxRows(new double[]{1, 2, 3}, 1, 3, false));
        assertDType(DType.FLOAT32, i64(1, 2).softmax(0));
        assertValues(Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2).softmax(1),
                naiveSoftmaxRows3d());
    }

    private static double[] naiveSoftmaxRows3d() {
        // softmax over dim 1 of [[[1,2],[3,4]],[[5,6],[7,8]]]: pairs (1,3),(2,4),(5,7),(6,8) each differ by 2
        double lo = 1 / (1 + Math.exp(2));
        double hi = 1 - lo;
        return new double[]{lo, lo, hi, hi, lo, lo, hi, hi};
    }

    @Test
    void softmaxIsStableForLargeInputs() {
        double[] expected = naiveSoftmaxRows(new double[]{0, 1, 2}, 1, 3, false);
        assertValues(f32(1000, 1001, 1002).softmax(0), expected);
        assertValues(f32(-1000, -999, -998).softmax(0), expected);
        assertValues(f32(1000, 0).logSoftmax(0), 0, -1000);
        assertValues(f32(-1000, 1000).softmax(0), 0, 1);
        assertValues(f32(Float.NEGATIVE_INFINITY, 0, 0).softmax(0), 0, 0.5, 0.5);
        assertValues(f32(Float.NEGATIVE_INFINITY, 0).logSoftmax(0), Double.NEGATIVE_INFINITY, 0);
        assertValues(f64(1e300, 0).logSoftmax(0), 0, -1e300);
    }

    @Test
    void oneHotEncodes() {
        Tensor h = i64(0, 2, 1).oneHot(3);
        assertShape(h, 3, 3);
        assertDType(DType.INT64, h);
        assertLongs(h, 1, 0, 0, 0, 0, 1, 0, 1, 0);
        assertShape(i64(0, 2, 1).oneHot(-1), 3, 3);
        assertShape(i64(0, 1, 1, 0).reshape(2, 2).oneHot(4), 2, 2, 4);
        assertLongs(i32(1).oneHot(2), 0, 1);
        assertThrows(IllegalArgumentException.class, () -> i64(0, 3).oneHot(3));
        assertThrows(IllegalArgumentException.class, () -> i64(-1).oneHot(3));
        assertThrows(DTypeException.class, () -> f32(1).oneHot(3));
    }

    /** An out-of-range index fails with an exception naming the op; it never reads or writes other memory. */
    private static void assertIndexError(String op, Executable call) {
        try {
            call.execute();
        } catch (NablaException | IndexOutOfBoundsException e) {
            assertTrue(e.getMessage() != null && e.getMessage().toLowerCase().contains(op.toLowerCase()),
                    "the error names " + op + ": " + e.getMessage());
            return;
        } catch (Throwable t) {
            fail(op + " with an out-of-range index threw " + t + " instead of a NablaException or IndexOutOfBoundsException");
        }
        fail(op + " with an out-of-range index did not fail");
    }

    @Test
    void outOfRangeIndicesFail() {
        Tensor x = iota(3, 4);
        assertIndexError("gather", () -> x.gather(0, Tensor.of(new long[]{3, 0, 0, 0}, 1, 4)).toFloatArray());
        assertIndexError("gather", () -> x.gather(1, Tensor.of(new long[]{-1}, 1, 1)).toFloatArray());
        assertIndexError("indexSelect", () -> x.indexSelect(0, i64(0, 5)).toFloatArray());
        assertIndexError("scatterAdd", () -> Tensor.zeros(3).scatterAdd(0, i64(3), f32(1)).toFloatArray());
        // the first row of x viewed alone: row 1 exists in memory but not in the view
        Tensor row = x.narrow(0, 0, 1);
        assertIndexError("gather", () -> row.gather(0, Tensor.of(new long[]{1, 1, 1, 1}, 1, 4)).toFloatArray());
        assertIndexError("indexSelect", () -> row.indexSelect(0, i64(1)).toFloatArray());
        Tensor target = Tensor.zeros(2, 3);
        assertIndexError("scatterAdd", () -> target.narrow(0, 0, 1).scatterAdd(0, Tensor.of(new long[]{1}, 1, 1),
                Tensor.ones(1, 1)).toFloatArray());
        assertValues(target, 0, 0, 0, 0, 0, 0);
    }
}
