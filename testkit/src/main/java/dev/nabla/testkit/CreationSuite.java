package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Generator;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Factories, dtypes, shapes, random numbers, conversions, printing and {@code item()}. */
public abstract class CreationSuite extends BackendTestBase {

    @Test
    void zerosOnesFullHaveShapeDtypeAndValues() {
        Tensor z = Tensor.zeros(2, 3);
        assertShape(z, 2, 3);
        assertDType(DType.FLOAT32, z);
        assertValues(z, 0, 0, 0, 0, 0, 0);
        assertEquals(device(), z.device());

        Tensor o = Tensor.ones(DType.INT32, 4);
        assertDType(DType.INT32, o);
        assertLongs(o, 1, 1, 1, 1);

        Tensor f = Tensor.full(DType.FLOAT64, -2.5, 2, 1);
        assertDType(DType.FLOAT64, f);
        assertShape(f, 2, 1);
        assertValues(f, -2.5, -2.5);

        Tensor b = Tensor.full(DType.BOOL, 1, 3);
        assertBools(b, true, true, true);

        Tensor l = Tensor.full(DType.INT64, 1L << 40, 2);
        assertLongs(l, 1L << 40, 1L << 40);
    }

    @Test
    void shapesWithZeroAndNoDimensions() {
        Tensor scalar = Tensor.zeros();
        assertShape(scalar);
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.numel());

        Tensor empty = Tensor.zeros(0, 3);
        assertShape(empty, 0, 3);
        assertEquals(0, empty.numel());
        assertEquals(0, empty.toFloatArray().length);

        Tensor s = Tensor.scalar(4.5);
        assertShape(s);
        assertDType(DType.FLOAT32, s);
        assertEquals(4.5, s.item());
        Tensor s64 = Tensor.scalar(DType.FLOAT64, 0.1);
        assertEquals(0.1, s64.item());
    }

    @Test
    void likeFactoriesKeepShapeAndDtype() {
        Tensor t = Tensor.of(new long[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor z = Tensor.zerosLike(t);
        Tensor o = Tensor.onesLike(t);
        Tensor f = Tensor.fullLike(t, 7);
        for (Tensor x : new Tensor[]{z, o, f}) {
            assertShape(x, 2, 3);
            assertDType(DType.INT64, x);
        }
        assertLongs(z, 0, 0, 0, 0, 0, 0);
        assertLongs(o, 1, 1, 1, 1, 1, 1);
        assertLongs(f, 7, 7, 7, 7, 7, 7);
    }

    @Test
    void ofCopiesDataInRowMajorOrder() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        data[0] = 100; // the tensor holds a copy
        assertShape(t, 2, 3);
        assertValues(t, 1, 2, 3, 4, 5, 6);

        assertShape(Tensor.of(new float[]{1, 2, 3}), 3);
        assertDType(DType.FLOAT64, Tensor.of(new double[]{1}));
        assertDType(DType.INT64, Tensor.of(new long[]{1}));
        assertDType(DType.INT32, Tensor.of(new int[]{1}));
        assertDType(DType.BOOL, Tensor.of(new boolean[]{true}));

        Tensor m = Tensor.of(new float[][]{{1, 2}, {3, 4}, {5, 6}});
        assertShape(m, 3, 2);
        assertValues(m, 1, 2, 3, 4, 5, 6);
        Tensor md = Tensor.of(new double[][]{{1.5, 2.5}});
        assertDType(DType.FLOAT64, md);
        assertShape(md, 1, 2);
        Tensor c = Tensor.of(new float[][][]{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}});
        assertShape(c, 2, 2, 2);
        assertValues(c, 1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void ofRejectsMismatchedShapes() {
        ShapeException e = assertThrows(ShapeException.class, () -> Tensor.of(new float[]{1, 2, 3}, 2, 2));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("3"), e.getMessage());
        assertThrows(ShapeException.class, () -> Tensor.of(new float[][]{{1, 2}, {3}}));
        assertThrows(ShapeException.class, () -> Tensor.zeros(2, -1));
    }

    @Test
    void ofWithAnEmptyShapeIsZeroDimensional() {
        int[] none = new int[0];
        Tensor[] scalars = {Tensor.of(new float[]{2.5f}, none), Tensor.of(new double[]{2.5}, none),
                Tensor.of(new long[]{2}, none), Tensor.of(new int[]{2}, none), Tensor.of(new boolean[]{true}, none),
                Tensor.of(new byte[]{2}, none)};
        for (Tensor t : scalars) {
            assertEquals(0, t.rank(), t.dtype() + " rank");
            assertEquals(1, t.numel(), t.dtype() + " numel");
        }
        assertEquals(2.5, scalars[0].item(), 0);
        assertEquals(2.5, scalars[1].item(), 0);
        // leaving the shape out still means 1-D, as in torch.tensor([x])
        assertShape(Tensor.of(new double[]{2.5}), 1);
        assertShape(Tensor.of(new byte[]{1, 2}), 2);
    }

    @Test
    void aZeroDimensionalLeafGetsAZeroDimensionalGradient() {
        Tensor s = Tensor.of(new double[]{2}, new int[0]).requiresGrad(true);
        s.mul(Tensor.of(new double[]{1, 2, 3})).sum().backward();
        assertEquals(0, s.grad().rank());
        assertEquals(6, s.grad().item(), 0);
        GradCheck.assertGradients(in -> in[0].mul(in[1]).exp(), Tensor.of(new double[]{0.3}, new int[0]),
                Tensor.of(new double[]{0.5, -1, 2}, 3));
    }

    @Test
    void ofChecksTheElementCountOfEveryShape() {
        // a 0-d shape holds exactly one element
        ShapeException many = assertThrows(ShapeException.class, () -> Tensor.of(new float[]{1, 2}, new int[0]));
        assertTrue(many.getMessage().contains("of: shape []") && many.getMessage().contains("2 values"),
                many.getMessage());
        assertThrows(ShapeException.class, () -> Tensor.of(new double[0], new int[0]));
        assertThrows(ShapeException.class, () -> Tensor.of(new long[]{1, 2, 3}, 2, 2));
        assertThrows(ShapeException.class, () -> Tensor.of(new int[]{1, 2, 3}, 4));
        assertThrows(ShapeException.class, () -> Tensor.of(new boolean[]{true}, 0));
        assertThrows(ShapeException.class, () -> Tensor.of(new byte[]{1, 2}, 1, 1));
        assertShape(Tensor.of(new float[0], 0, 3), 0, 3);
    }

    @Test
    void arangeIntegerVariants() {
        Tensor a = Tensor.arange(5);
        assertDType(DType.INT64, a);
        assertLongs(a, 0, 1, 2, 3, 4);
        assertLongs(Tensor.arange(2, 11, 3), 2, 5, 8);
        assertLongs(Tensor.arange(10, 0, -3), 10, 7, 4, 1);
        assertLongs(Tensor.arange(-3, 0, 1), -3, -2, -1);
        assertShape(Tensor.arange(5, 5, 1), 0);
        assertShape(Tensor.arange(5, 0, 1), 0);
        assertShape(Tensor.arange(0), 0);
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 5, 0));
    }

    @Test
    void arangeFloatVariants() {
        Tensor a = Tensor.arange(0.0, 1.0, 0.25);
        assertDType(DType.FLOAT32, a);
        assertValues(a, 0, 0.25, 0.5, 0.75);
        assertValues(Tensor.arange(1.0, 0.0, -0.25), 1, 0.75, 0.5, 0.25);
        // end is exclusive even when (end - start) / step is not an integer
        assertValues(Tensor.arange(0.0, 1.0, 0.3), 0, 0.3, 0.6, 0.9);
        assertShape(Tensor.arange(0.0, 0.3, 0.1), 3);
        assertShape(Tensor.arange(1.0, 1.0, 0.5), 0);
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0.0, 1.0, 0.0));
    }

    @Test
    void linspaceIncludesBothEndpoints() {
        Tensor l = Tensor.linspace(0, 1, 5);
        assertDType(DType.FLOAT32, l);
        assertValues(l, 0, 0.25, 0.5, 0.75, 1);
        Tensor odd = Tensor.linspace(-1, 0.7, 7);
        double[] v = odd.toDoubleArray();
        assertEquals(-1.0, v[0]);
        assertEquals((float) 0.7, (float) v[6]);
        for (int i = 0; i < 7; i++) {
            assertEquals(-1 + i * 1.7 / 6, v[i], 1e-6);
        }
        assertValues(Tensor.linspace(3, 3, 4), 3, 3, 3, 3);
        assertValues(Tensor.linspace(2, 5, 1), 2);
        assertShape(Tensor.linspace(2, 5, 0), 0);
        assertValues(Tensor.linspace(1, -1, 3), 1, 0, -1);
        assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -1));
    }

    @Test
    void eyeSquareAndRectangular() {
        Tensor e = Tensor.eye(3);
        assertShape(e, 3, 3);
        assertValues(e, 1, 0, 0, 0, 1, 0, 0, 0, 1);
        Tensor wide = Tensor.eye(2, 3);
        assertShape(wide, 2, 3);
        assertValues(wide, 1, 0, 0, 0, 1, 0);
        Tensor tall = Tensor.eye(3, 2);
        assertValues(tall, 1, 0, 0, 1, 0, 0);
        assertShape(Tensor.eye(0), 0, 0);
    }

    @Test
    void randIsSeededAndReproducible() {
        Nabla.manualSeed(7);
        float[] a = Tensor.rand(3, 4).toFloatArray();
        float[] b = Tensor.rand(3, 4).toFloatArray();
        Nabla.manualSeed(7);
        float[] c = Tensor.rand(3, 4).toFloatArray();
        assertArrayEquals(a, c);
        assertFalse(java.util.Arrays.equals(a, b), "successive draws differ");

        Nabla.manualSeed(7);
        assertArrayEquals(Tensor.randn(5).toFloatArray(), Tensor.randn(new Generator(7), 5).toFloatArray(),
                "the global generator seeded with 7 draws like a fresh Generator(7)");
        Nabla.manualSeed(7);
        assertArrayEquals(Tensor.randint(0, 10, 6).toLongArray(), Tensor.randint(new Generator(7), 0, 10, 6).toLongArray());

        Nabla.manualSeed(8);
        assertFalse(java.util.Arrays.equals(a, Tensor.rand(3, 4).toFloatArray()), "another seed gives other values");
    }

    @Test
    void randIsUniformInUnitInterval() {
        Tensor r = Tensor.rand(new Generator(3), 20000);
        assertDType(DType.FLOAT32, r);
        double sum = 0;
        for (float v : r.toFloatArray()) {
            assertTrue(v >= 0 && v < 1, "rand value " + v + " outside [0, 1)");
            sum += v;
        }
        assertEquals(0.5, sum / 20000, 0.01);
    }

    @Test
    void randnHasZeroMeanUnitVariance() {
        Tensor r = Tensor.randn(new Generator(11), 20000);
        assertDType(DType.FLOAT32, r);
        double sum = 0;
        double sq = 0;
        for (float v : r.toFloatArray()) {
            assertTrue(Float.isFinite(v));
            sum += v;
            sq += v * v;
        }
        double mean = sum / 20000;
        assertEquals(0, mean, 0.03);
        assertEquals(1, sq / 20000 - mean * mean, 0.05);
    }

    @Test
    void randintStaysInRangeAndCoversIt() {
        Tensor r = Tensor.randint(new Generator(5), -2, 3, 4, 500);
        assertDType(DType.INT64, r);
        assertShape(r, 4, 500);
        boolean[] seen = new boolean[5];
        for (long v : r.toLongArray()) {
            assertTrue(v >= -2 && v < 3, "randint value " + v + " outside [-2, 3)");
            seen[(int) (v + 2)] = true;
        }
        for (boolean s : seen) {
            assertTrue(s, "every value of [-2, 3) appears in 2000 draws");
        }
        assertThrows(IllegalArgumentException.class, () -> Tensor.randint(3, 3, 2));
    }

    @Test
    void conversionsBetweenDtypes() {
        Tensor f = f32(-1.7f, -0.5f, 0f, 0.5f, 1.7f, 2.5f);
        assertLongs(f.to(DType.INT64), -1, 0, 0, 0, 1, 2); // truncation toward zero, like PyTorch
        assertDType(DType.INT32, f.to(DType.INT32));
        assertArrayEquals(new int[]{-1, 0, 0, 0, 1, 2}, f.toIntArray());
        assertBools(f.to(DType.BOOL), true, true, false, true, true, true);
        assertBools(f32(Float.NaN).to(DType.BOOL), true);
        assertValues(bools(true, false).to(DType.FLOAT32), 1, 0);
        assertValues(i64(3, -4).to(DType.FLOAT64), 3, -4);
        assertSame(f, f.to(DType.FLOAT32));

        Tensor d = f64(0.1, 1e-40, 1e300);
        double[] asFloat = d.to(DType.FLOAT32).toDoubleArray();
        assertEquals((double) 0.1f, asFloat[0]);
        assertEquals((double) (float) 1e-40, asFloat[1]);
        assertEquals(Double.POSITIVE_INFINITY, asFloat[2]);
    }

    private static void assertSame(Tensor expected, Tensor actual) {
        org.junit.jupiter.api.Assertions.assertSame(expected, actual, "to() with the same dtype returns the tensor itself");
    }

    @Test
    void itemAndItemLong() {
        assertEquals(3.25, Tensor.scalar(3.25).item());
        assertEquals(2.0, Tensor.of(new float[]{2}, 1, 1).item());
        long big = (1L << 53) + 1; // not representable as a double
        assertEquals(big, Tensor.of(new long[]{big}).itemLong());
        assertEquals(big, Tensor.full(DType.INT64, 0, 1).add(i64(big)).itemLong());
        assertEquals(1.0, bools(true).item());
        assertThrows(ShapeException.class, () -> Tensor.zeros(2).item());
        assertThrows(ShapeException.class, () -> Tensor.zeros(0).item());
    }

    @Test
    void int64ValuesAreExact() {
        long big = Long.MAX_VALUE - 7;
        Tensor t = i64(big, -big);
        assertLongs(t, big, -big);
        assertLongs(t.add(i64(1, 1)), big + 1, -big + 1);
        assertLongs(t.sub(1L << 40), big - (1L << 40), -big - (1L << 40));
    }

    @Test
    void toStringIsReadable() {
        // A tensor off the CPU names its device last.
        String d = device().equals(Device.CPU) ? "" : ", device=" + device();
        assertEquals("tensor([1., 2., 3.]" + d + ")", f32(1, 2, 3).toString());
        assertEquals("tensor([1.5000, -2.0000]" + d + ")", f32(1.5f, -2).toString());
        assertEquals("tensor([[1., 2.],\n        [3., 4.]]" + d + ")", Tensor.of(new float[]{1, 2, 3, 4}, 2, 2).toString());
        assertEquals("tensor(3." + d + ")", Tensor.scalar(3).toString());
        assertEquals("tensor([1, -2]" + d + ")", i64(1, -2).toString());
        assertEquals("tensor([true, false]" + d + ")", bools(true, false).toString());
        assertTrue(f64(0.5).toString().contains("FLOAT64"), f64(0.5).toString());
        assertTrue(i32(1).toString().contains("INT32"), i32(1).toString());
        assertEquals("tensor([nan, inf, -inf]" + d + ")", f32(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY).toString());
        assertTrue(Tensor.ones(2).requiresGrad(true).toString().contains("requiresGrad=true"));
        String big = Tensor.zeros(3000).toString();
        assertTrue(big.contains("...") && big.length() < 200, "large tensors are summarized: " + big);
        Tensor closed = Tensor.ones(2);
        closed.close();
        assertTrue(closed.toString().contains("closed"), closed.toString());
        assertNotEquals("", Tensor.zeros(0, 2).toString());
    }

    @Test
    void metadata() {
        Tensor t = Tensor.zeros(2, 3, 4);
        assertEquals(3, t.rank());
        assertEquals(3, t.dim());
        assertEquals(24, t.numel());
        assertEquals(4, t.size(-1));
        assertEquals(2, t.size(0));
        assertArrayEquals(new int[]{12, 4, 1}, t.strides());
        assertTrue(t.isContiguous());
        assertTrue(t.isLeaf());
        assertFalse(t.requiresGrad());
        int[] shape = t.shape();
        shape[0] = 99; // shape() is a copy
        assertShape(t, 2, 3, 4);
    }
}
