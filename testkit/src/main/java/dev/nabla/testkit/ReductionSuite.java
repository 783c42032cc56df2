package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reductions with dims, keepDim, negative dims and strided inputs, against naive loops. */
public abstract class ReductionSuite extends BackendTestBase {
    private static final int[] SHAPE = {3, 4, 5};

    private static double[] values() {
        return randomValues(99, 60, -2, 2);
    }

    private static Tensor input(DType dtype) {
        return Tensor.of(values()).reshape(SHAPE).to(dtype);
    }

    private static double[] expected(DType dtype, int[] dims, double init, java.util.function.DoubleBinaryOperator f) {
        double[] v = dtype == DType.FLOAT32 ? roundedToFloat(values()) : values();
        return Reference.reduce(v, SHAPE, dims, init, f);
    }

    @Test
    void sumOverEveryDimSet() {
        int[][] dimSets = {{0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}};
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            for (int[] dims : dimSets) {
                double[] e = expected(dtype, dims, 0, Double::sum);
                Tensor s = input(dtype).sum(dims, false);
                assertDType(dtype, s);
                assertValuesWithin(s, dtype == DType.FLOAT32 ? 1e-5 : 1e-12, 1e-5, e);
                Tensor k = input(dtype).sum(dims, true);
                int[] kept = SHAPE.clone();
                for (int d : dims) {
                    kept[d] = 1;
                }
                assertShape(k, kept);
                assertValuesWithin(k, dtype == DType.FLOAT32 ? 1e-5 : 1e-12, 1e-5, e);
            }
        }
    }

    @Test
    void sumHandChecked() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertValues(x.sum(), 21);
        assertShape(x.sum());
        assertValues(x.sum(0), 5, 7, 9);
        assertValues(x.sum(1), 6, 15);
        assertValues(x.sum(-1), 6, 15);
        assertShape(x.sum(-1, true), 2, 1);
        assertShape(x.sum(new int[]{-1, 0}, false));
        assertValues(x.sum(new int[]{-1, 0}, true), 21);
        assertShape(x.sum(new int[]{-1, 0}, true), 1, 1);
        assertValues(Tensor.scalar(4).sum(), 4);
        assertValues(Tensor.zeros(0, 3).sum(0), 0, 0, 0);
        assertValues(Tensor.zeros(0).sum(), 0);
    }

    @Test
    void reductionsOfStridedInputs() {
        Tensor base = iota(4, 6); // base[i][j] = 6i + j
        Tensor t = base.t(); // [6, 4]
        assertValues(t.sum(0), 15, 51, 87, 123);
        assertValues(t.sum(1), 36, 40, 44, 48, 52, 56);
        Tensor s = base.slice(1, 1, 6, 2); // columns 1, 3, 5
        assertValues(s.sum(1), 9, 27, 45, 63);
        assertValues(s.amax(new int[]{0}, false), 19, 21, 23);
        assertValues(s.mean(0), 10, 12, 14);
        Tensor e = f32(1, 2, 3).reshape(1, 3).expand(4, 3);
        assertValues(e.sum(0), 4, 8, 12);
        assertValues(e.sum(), 24);
        assertValues(e.prod(0, false), 1, 16, 81);
        Tensor p = iota(2, 3, 4).permute(2, 0, 1); // [4, 2, 3]
        double[] naive = Reference.reduce(naivePermuted(), new int[]{4, 2, 3}, new int[]{0, 2}, 0, Double::sum);
        assertValues(p.sum(new int[]{0, 2}, false), naive);
        assertLongs(t.argmax(0, false), 5, 5, 5, 5);
        assertLongs(t.argmax(1, false), 3, 3, 3, 3, 3, 3);
        assertLongs(s.argmin(1, false), 0, 0, 0, 0);
    }

    private static double[] naivePermuted() {
        double[] v = new double[24];
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    v[(k * 2 + i) * 3 + j] = i * 12 + j * 4 + k;
                }
            }
        }
        return v;
    }

    @Test
    void meanProdMaxMin() {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
            assertValuesWithin(input(dtype).mean(1), tol, 1e-6, divide(expected(dtype, new int[]{1}, 0, Double::sum), 4));
            assertValuesWithin(input(dtype).mean(new int[]{0, 2}, true), tol, 1e-6,
                    divide(expected(dtype, new int[]{0, 2}, 0, Double::sum), 15));
            assertValuesWithin(input(dtype).prod(2, false), tol, 1e-6, expected(dtype, new int[]{2}, 1, (a, b) -> a * b));
            assertValuesWithin(input(dtype).amax(new int[]{0, 2}, false), 0, 0,
                    expected(dtype, new int[]{0, 2}, Double.NEGATIVE_INFINITY, Math::max));
            assertValuesWithin(input(dtype).amin(new int[]{-1}, true), 0, 0,
                    expected(dtype, new int[]{2}, Double.POSITIVE_INFINITY, Math::min));
            assertValuesWithin(input(dtype).max(), 0, 0, expected(dtype, new int[]{0, 1, 2}, Double.NEGATIVE_INFINITY, Math::max));
            assertValuesWithin(input(dtype).min(), 0, 0, expected(dtype, new int[]{0, 1, 2}, Double.POSITIVE_INFINITY, Math::min));
        }
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        assertValues(x.mean(), 3.5);
        assertValues(x.prod(), 720);
        assertValues(x.prod(1, true), 6, 120);
        assertValues(Tensor.zeros(0).prod(), 1);
        assertDType(DType.FLOAT32, i64(1, 2).mean());
        assertValues(i64(1, 2).mean(), 1.5);
    }

    private static double[] divide(double[] v, double d) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] /= d;
        }
        return r;
    }

    @Test
    void maxAndMinAlongDimGiveValuesAndFirstIndices() {
        Tensor x = Tensor.of(new float[]{1, 5, 5, 2, 7, 0, 7, 3, 3}, 3, 3);
        Tensor.ValuesIndices max = x.max(1, false);
        assertValues(max.values(), 5, 7, 7);
        assertDType(DType.INT64, max.indices());
        assertLongs(max.indices(), 1, 1, 0);
        Tensor.ValuesIndices min = x.min(0, true);
        assertShape(min.values(), 1, 3);
        assertValues(min.values(), 1, 3, 0);
        assertLongs(min.indices(), 0, 2, 1);
        Tensor.ValuesIndices last = x.max(-1, true);
        assertShape(last.indices(), 3, 1);
    }

    @Test
    void argmaxArgminTiesPickFirstOccurrence() {
        assertLongs(f32(1, 3, 3, 2).argmax(), 1);
        assertLongs(f32(2, 1, 1, 5).argmin(), 1);
        assertShape(f32(1, 3, 3, 2).argmax());
        assertLongs(f32(4, 4, 4).argmax(), 0);
        Tensor m = Tensor.of(new float[]{0, 9, 9, 1, 8, 2, 9, 1, 0, 0, 0, 0}, 3, 4);
        assertLongs(m.argmax(), 1); // flattened
        assertLongs(m.argmax(1, false), 1, 2, 0);
        assertLongs(m.argmax(0, false), 1, 0, 0, 0);
        assertLongs(m.argmin(1, false), 0, 3, 0);
        assertShape(m.argmin(0, true), 1, 4);
        assertLongs(m.argmin(-2, true), 0, 2, 2, 2);
        assertLongs(i64(3, 7, 7, -1).argmax(), 1);
        assertLongs(i32(3, 7, 7, -1).argmin(), 3);
        Tensor big = Tensor.zeros(1000);
        big.narrow(0, 777, 1).fillInPlace(1);
        big.narrow(0, 901, 1).fillInPlace(1);
        assertLongs(big.argmax(), 777);
    }

    @Test
    void integerSumsWidenToInt64() {
        Tensor ints = Tensor.full(DType.INT32, 2_000_000_000, 3);
        Tensor s = ints.sum();
        assertDType(DType.INT64, s);
        assertEquals(6_000_000_000L, s.itemLong());
        assertDType(DType.INT64, i32(1, 2).sum(0));
        Tensor b = bools(true, false, true, true).sum();
        assertDType(DType.INT64, b);
        assertEquals(3, b.itemLong());
        assertDType(DType.INT64, i32(2, 3).prod());
        assertEquals(6, i32(2, 3).prod().itemLong());
        assertDType(DType.INT32, i32(2, 3).amax(new int[]{0}, false));
        long big = (1L << 53) + 1;
        assertEquals(big + 2, i64(big, 1, 1).sum().itemLong());
    }

    @Test
    void varianceAndStd() {
        Tensor x = f32(1, 2, 3, 4);
        assertValues(x.var(), 5.0 / 3);
        assertValues(x.var(new int[]{0}, 0, false), 1.25);
        assertValues(x.std(), Math.sqrt(5.0 / 3));
        assertValues(x.std(new int[]{0}, 0, false), Math.sqrt(1.25));
        Tensor m = Tensor.of(new double[]{1, 2, 3, 4, 10, 20, 30, 40}, 2, 4);
        assertValues(m.var(new int[]{1}, 1, false), 5.0 / 3, 500.0 / 3);
        assertValues(m.var(new int[]{-1}, 0, true), 1.25, 125);
        assertShape(m.var(new int[]{-1}, 0, true), 2, 1);
        assertValues(m.var(new int[]{0}, 1, false), 40.5, 162, 364.5, 648);
        assertValues(m.t().var(new int[]{0}, 1, false), 5.0 / 3, 500.0 / 3);
        assertValues(f32(5).var(new int[]{0}, 1, false), Double.NaN); // 0 / 0
        // numerically stable for a large offset (two-pass, not E[x^2] - E[x]^2)
        assertValues(f64(1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4).var(), 5.0 / 3);
        assertValuesWithin(f32(1e4f + 1, 1e4f + 2, 1e4f + 3, 1e4f + 4).var(), 1e-4, 0, 5.0 / 3);
    }

    @Test
    void logsumexpIsStable() {
        assertValues(f32(1000, 1000).logsumexp(0, false), 1000 + Math.log(2));
        assertValues(f32(-1000, -1000).logsumexp(0, false), -1000 + Math.log(2));
        assertValues(f32(0, Float.NEGATIVE_INFINITY).logsumexp(0, false), 0);
        assertValues(f32(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY).logsumexp(0, false), Double.NEGATIVE_INFINITY);
        assertValues(f32(Float.POSITIVE_INFINITY, 1).logsumexp(0, false), Double.POSITIVE_INFINITY);
        Tensor m = Tensor.of(new double[]{1, 2, 3, 1000, 1001, 1002}, 2, 3);
        double l1 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertValues(m.logsumexp(1, false), l1, 999 + l1);
        assertShape(m.logsumexp(-1, true), 2, 1);
        assertValues(m.logsumexp(new int[]{0, 1}, false), 999 + l1 + Math.log1p(Math.exp(-999)));
        assertValues(m.t().logsumexp(0, false), l1, 999 + l1);
        assertValues(m.logsumexp(0, false), 1000, 1001, 1002);
    }

    @Test
    void norms() {
        Tensor x = f32(3, -4, 0, 12);
        assertValues(x.norm(), 13);
        assertValues(x.norm(2), 13);
        assertValues(x.norm(1), 19);
        assertValues(x.norm(Double.POSITIVE_INFINITY), 12);
        assertValues(x.norm(3), Math.cbrt(27 + 64 + 1728));
        assertValues(x.norm(0.5), Math.pow(Math.sqrt(3) + 2 + Math.sqrt(12), 2));
        Tensor m = Tensor.of(new float[]{3, 4, -6, 8}, 2, 2);
        assertValues(m.norm(2, new int[]{1}, false), 5, 10);
        assertValues(m.norm(1, new int[]{0}, true), 9, 12);
        assertShape(m.norm(1, new int[]{0}, true), 1, 2);
        assertValues(m.norm(Double.POSITIVE_INFINITY, new int[]{-1}, false), 4, 8);
        assertValues(m.t().norm(2, new int[]{0}, false), 5, 10);
        assertValues(Tensor.zeros(3).norm(), 0);
    }

    @Test
    void nanPropagatesThroughMaxAndMin() {
        Tensor x = f32(1, Float.NaN, 3);
        assertValues(x.max(), Double.NaN);
        assertValues(x.min(), Double.NaN);
        assertValues(Tensor.of(new float[]{1, Float.NaN, 3, 4}, 2, 2).amax(new int[]{1}, false), Double.NaN, 4);
        assertValues(x.sum(), Double.NaN);
    }

    @Test
    void float32SumsAreAccurate() {
        int n = 1_000_000;
        assertValues(Tensor.ones(n).sum(), n);
        // 0.1f added a million times: naive float accumulation drifts by about 1%
        Tensor tenths = Tensor.full(0.1, n);
        assertValuesWithin(tenths.sum(), 1e-4, 0, n * (double) 0.1f);
        assertValuesWithin(tenths.mean(), 1e-4, 0, 0.1f);
        assertValuesWithin(tenths.reshape(1000, 1000).sum(0), 1e-5, 0, repeat(1000 * (double) 0.1f, 1000));
    }

    private static double[] repeat(double v, int n) {
        double[] r = new double[n];
        java.util.Arrays.fill(r, v);
        return r;
    }

    @Test
    void emptyReductionsWithoutIdentityFail() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.zeros(0, 3).amax(new int[]{0}, false));
        assertTrue(e.getMessage().contains("max"), e.getMessage());
        assertThrows(ShapeException.class, () -> Tensor.zeros(0).argmax());
        assertShape(Tensor.zeros(0, 3).amax(new int[]{1}, false), 0);
    }
}
