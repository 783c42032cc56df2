package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Elementwise ops: values against Java's {@link Math} (or hand-computed values) for FLOAT32 and
 * FLOAT64, contiguous and strided inputs; broadcasting; scalar overloads; dtype promotion; special
 * values.
 */
public abstract class ElementwiseSuite extends BackendTestBase {
    private static final double[] ANY = {-7, -3, -1.5, -0.5, -0.1, 0, 0.1, 0.5, 1, 2.5, 6.25};
    private static final double[] POSITIVE = {1e-3, 0.1, 0.5, 1, 1.5, 2.5, 10, 1e4};
    private static final double[] ABOVE_MINUS_ONE = {-0.9, -0.5, -1e-7, 0, 1e-7, 0.5, 3, 1e3};

    /**
     * Checks {@code op} against {@code ref} on {@code inputs} as FLOAT32 and FLOAT64, contiguous and as a
     * strided (every other element) view.
     */
    private void checkUnary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double[] inputs) {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double[] in = dtype == DType.FLOAT32 ? roundedToFloat(inputs) : inputs.clone();
            double[] expected = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                expected[i] = ref.applyAsDouble(in[i]);
            }
            double rtol = dtype == DType.FLOAT32 ? F32_RTOL : F64_RTOL;
            double atol = dtype == DType.FLOAT32 ? F32_ATOL : F64_ATOL;
            Tensor x = Tensor.of(in).to(dtype);
            Tensor y = op.apply(x);
            assertEquals(dtype, y.dtype(), name + " keeps " + dtype);
            assertShape(y, in.length);
            assertClose(expected, y.toDoubleArray(), rtol, atol, name + " " + dtype);

            // Strided: the inputs interleaved with garbage, read through slice(step 2) of a [n, 2] transpose.
            double[] interleaved = new double[2 * in.length];
            for (int i = 0; i < in.length; i++) {
                interleaved[2 * i] = in[i];
                interleaved[2 * i + 1] = 1e30;
            }
            Tensor strided = Tensor.of(interleaved).to(dtype).slice(0, 0, 2 * in.length, 2);
            assertClose(expected, op.apply(strided).toDoubleArray(), rtol, atol, name + " " + dtype + " strided");
            // 2-D transposed view
            if (in.length % 2 == 0) {
                Tensor t = Tensor.of(naiveTranspose(in, 2, in.length / 2)).to(dtype).reshape(in.length / 2, 2).t();
                assertClose(expected, op.apply(t).reshape(-1).toDoubleArray(), rtol, atol, name + " " + dtype + " transposed");
            }
        }
    }

    @Test
    void negAbsSign() {
        checkUnary("neg", Tensor::neg, v -> -v, ANY);
        checkUnary("abs", Tensor::abs, Math::abs, ANY);
        checkUnary("sign", Tensor::sign, Math::signum, ANY);
    }

    @Test
    void expAndLogFamily() {
        checkUnary("exp", Tensor::exp, Math::exp, ANY);
        checkUnary("expm1", Tensor::expm1, Math::expm1, new double[]{-3, -1e-6, -1e-10, 0, 1e-10, 1e-6, 0.5, 5});
        checkUnary("log", Tensor::log, Math::log, POSITIVE);
        checkUnary("log1p", Tensor::log1p, Math::log1p, ABOVE_MINUS_ONE);
    }

    @Test
    void rootsAndReciprocal() {
        checkUnary("sqrt", Tensor::sqrt, Math::sqrt, new double[]{0, 1e-6, 0.25, 2, 9, 1e6});
        checkUnary("rsqrt", Tensor::rsqrt, v -> 1 / Math.sqrt(v), POSITIVE);
        checkUnary("reciprocal", Tensor::reciprocal, v -> 1 / v, new double[]{-4, -0.5, 0.1, 1, 3, 1e5});
    }

    @Test
    void trigonometricAndSquashing() {
        checkUnary("sin", Tensor::sin, Math::sin, ANY);
        checkUnary("cos", Tensor::cos, Math::cos, ANY);
        checkUnary("tanh", Tensor::tanh, Math::tanh, new double[]{-30, -5, -1, -0.2, 0, 1e-4, 0.3, 2, 9, 50});
        checkUnary("sigmoid", Tensor::sigmoid, Reference::sigmoid, new double[]{-50, -8, -1, -0.2, 0, 0.3, 2, 9, 17, 80});
    }

    @Test
    void erfMatchesTable() {
        assertValues(f64(0, 0.5, 1, -2, 3).erf(), 0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527,
                0.9999779095030014);
        checkUnary("erf", Tensor::erf, Reference::erf, new double[]{-4, -2, -0.7, -1e-3, 0, 0.2, 0.9, 1.5, 2.5, 6});
    }

    @Test
    void activations() {
        checkUnary("relu", Tensor::relu, v -> Math.max(v, 0), ANY);
        checkUnary("leakyRelu", x -> x.leakyRelu(0.1), v -> v > 0 ? v : 0.1 * v, ANY);
        checkUnary("gelu", Tensor::gelu, Reference::gelu, ANY);
        checkUnary("geluTanh", Tensor::geluTanh, Reference::geluTanh, ANY);
        checkUnary("silu", Tensor::silu, v -> v * Reference.sigmoid(v), ANY);
        checkUnary("softplus", Tensor::softplus, Reference::softplus, new double[]{-50, -3, -0.5, 0, 0.5, 3, 19.5, 20.5, 60});
        checkUnary("softplus(beta=2,threshold=5)", x -> x.softplus(2, 5),
                v -> 2 * v > 5 ? v : Math.log1p(Math.exp(2 * v)) / 2, new double[]{-4, -0.5, 0, 1, 2.4, 2.6, 10});
        // hand-checked
        assertValues(f32(-1, 0, 1, 2).gelu(), -0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416);
        assertValues(f32(1).geluTanh(), 0.8411919906082768);
        assertValues(f32(-2, 0, 3).leakyRelu(0.01), -0.02, 0, 3);
    }

    @Test
    void roundingHalfToEven() {
        checkUnary("floor", Tensor::floor, Math::floor, ANY);
        checkUnary("ceil", Tensor::ceil, Math::ceil, ANY);
        assertValues(f32(0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, 2.6f, -2.6f).round(), 0, 2, 2, -0.0, -2, 2, 3, -3);
        assertValues(f64(0.5, 1.5, 2.5, 3.5, -2.5, 1e15 + 0.5).round(), 0, 2, 2, 4, -2, 1e15);
        // integer tensors are unchanged by rounding
        Tensor ints = i64(3, -4);
        assertDType(DType.INT64, ints.floor());
        assertLongs(ints.round(), 3, -4);
    }

    @Test
    void clampFamily() {
        assertValues(f32(-3, -1, 0, 0.5f, 1, 4).clamp(-1, 1), -1, -1, 0, 0.5, 1, 1);
        assertValues(f32(-3, 0, 4).clampMin(0.5), 0.5, 0.5, 4);
        assertValues(f32(-3, 0, 4).clampMax(0.5), -3, 0, 0.5);
        assertValues(f32(Float.NaN, 2).clamp(0, 1), Double.NaN, 1);
        Tensor ints = i32(-5, 0, 5);
        assertDType(DType.INT32, ints.clamp(-2, 2));
        assertLongs(ints.clamp(-2, 2), -2, 0, 2);
    }

    // ------------------------------------------------------------------ binary ops

    private void checkBinary(String name, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator ref,
                             double[] a, int[] as, double[] b, int[] bs) {
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            double[] av = dtype == DType.FLOAT32 ? roundedToFloat(a) : a;
            double[] bv = dtype == DType.FLOAT32 ? roundedToFloat(b) : b;
            double[] expected = Reference.broadcast(av, as, bv, bs, ref);
            Tensor out = op.apply(Tensor.of(av).reshape(as).to(dtype), Tensor.of(bv).reshape(bs).to(dtype));
            assertShape(out, Reference.broadcastShape(as, bs));
            assertDType(dtype, out);
            double rtol = dtype == DType.FLOAT32 ? F32_RTOL : F64_RTOL;
            double atol = dtype == DType.FLOAT32 ? F32_ATOL : F64_ATOL;
            assertClose(expected, out.toDoubleArray(), rtol, atol, name + " " + dtype + " " + java.util.Arrays.toString(as)
                    + " with " + java.util.Arrays.toString(bs));
        }
    }

    private void checkBinaryAllShapes(String name, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator ref,
                                      double lo, double hi) {
        int[][][] shapes = {
                {{2, 3}, {2, 3}}, {{3, 1}, {1, 4}}, {{2, 3}, {3}}, {{3}, {2, 3}}, {{2, 1, 4}, {3, 1}},
                {{4}, {}}, {{}, {4}}, {{}, {}}, {{0, 3}, {3}}, {{2, 3, 4}, {2, 3, 4}}};
        long seed = name.hashCode();
        for (int[][] s : shapes) {
            double[] a = randomValues(seed++, Reference.numel(s[0]), lo, hi);
            double[] b = randomValues(seed++, Reference.numel(s[1]), lo, hi);
            checkBinary(name, op, ref, a, s[0], b, s[1]);
        }
    }

    @Test
    void arithmeticWithBroadcasting() {
        checkBinaryAllShapes("add", Tensor::add, Double::sum, -5, 5);
        checkBinaryAllShapes("sub", Tensor::sub, (x, y) -> x - y, -5, 5);
        checkBinaryAllShapes("mul", Tensor::mul, (x, y) -> x * y, -5, 5);
        checkBinaryAllShapes("div", Tensor::div, (x, y) -> x / y, 0.5, 5);
        checkBinaryAllShapes("pow", Tensor::pow, Math::pow, 0.1, 3);
        checkBinaryAllShapes("maximum", Tensor::maximum, Math::max, -5, 5);
        checkBinaryAllShapes("minimum", Tensor::minimum, Math::min, -5, 5);
        checkBinaryAllShapes("add(alpha)", (x, y) -> x.add(y, -2.5), (x, y) -> x - 2.5 * y, -5, 5);
    }

    @Test
    void handCheckedBroadcasts() {
        Tensor col = f32(1, 2, 3).reshape(3, 1);
        Tensor row = f32(10, 20, 30, 40).reshape(1, 4);
        Tensor sum = col.add(row);
        assertShape(sum, 3, 4);
        assertValues(sum, 11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43);
        Tensor m = iota(2, 3);
        assertValues(m.mul(f32(1, 10, 100)), 0, 10, 200, 3, 40, 500);
        assertValues(m.sub(Tensor.scalar(1)), -1, 0, 1, 2, 3, 4);
    }

    @Test
    void nonContiguousOperands() {
        Tensor base = iota(3, 4); // base[i][j] = 4i + j
        Tensor t = base.t(); // [4, 3], t[j][i] = 4i + j
        Tensor other = iota(4, 3); // other[j][i] = 3j + i
        double[] expected = new double[12];
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 3; i++) {
                expected[j * 3 + i] = (4 * i + j) * (3 * j + i);
            }
        }
        assertValues(t.mul(other), expected);
        assertValues(other.mul(t), expected);

        Tensor even = base.slice(1, 0, 4, 2); // columns 0, 2
        Tensor odd = base.slice(1, 1, 4, 2); // columns 1, 3
        assertValues(odd.sub(even), 1, 1, 1, 1, 1, 1);
        assertValues(even.add(odd.t().t()), 1, 5, 9, 13, 17, 21);

        Tensor expanded = f32(1, 2, 3).reshape(3, 1).expand(3, 4);
        assertValues(expanded.mul(base), 0, 1, 2, 3, 8, 10, 12, 14, 24, 27, 30, 33);
        assertValues(expanded.add(expanded.t().t()), 2, 2, 2, 2, 4, 4, 4, 4, 6, 6, 6, 6);

        Tensor narrowed = base.narrow(0, 1, 2).narrow(1, 1, 2); // [[5, 6], [9, 10]] at an offset
        assertValues(narrowed.div(f32(5, 2)), 1, 3, 1.8, 5);
        assertValues(narrowed.exp().log(), 5, 6, 9, 10);
        assertValues(narrowed.t().neg(), -5, -9, -6, -10);
    }

    @Test
    void scalarOverloads() {
        Tensor x = f32(1, -2, 4);
        assertValues(x.add(0.5), 1.5, -1.5, 4.5);
        assertValues(x.sub(1), 0, -3, 3);
        assertValues(x.mul(-2), -2, 4, -8);
        assertValues(x.div(4), 0.25, -0.5, 1);
        assertValues(x.rsub(1), 0, 3, -3);
        assertValues(x.rdiv(2), 2, -1, 0.5);
        assertValues(x.pow(2), 1, 4, 16);
        assertValues(x.pow(3), 1, -8, 64);
        assertValues(x.pow(1), 1, -2, 4);
        assertValues(x.pow(0), 1, 1, 1);
        assertValues(f32(4, 9, 0.25f).pow(0.5), 2, 3, 0.5);
        assertValues(f32(2, 4).pow(-1), 0.5, 0.25);
        assertValues(f32(-8).pow(1.0 / 3), Double.NaN); // like PyTorch: fractional power of a negative base
        assertValues(f32(0).pow(0), 1);
        assertValues(x.square(), 1, 4, 16);
        assertDType(DType.FLOAT32, f32(1).add(0.1));
        assertEquals((double) (1f + 0.1f), f32(1).add(0.1).item(), 0, "the scalar is rounded to the tensor's dtype");
    }

    /**
     * {@code x op number} passes the number to the backend as an attribute ({@code Backend.binaryScalar}); whatever
     * the backend does with it, the result must be bit for bit that of {@code x op} a tensor full of the number.
     */
    @Test
    void scalarOperandsGiveWhatTensorOperandsGive() {
        double[] numbers = {0, 1, -2.5, 3, 0.1, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e30};
        double[] values = {-3, -1.5, -0.0, 0, 0.1, 1, 2.5, 7, 1e-3, Double.NaN, Double.NEGATIVE_INFINITY, 40};
        for (DType dtype : new DType[]{DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
            Tensor x = Tensor.of(values, 3, 4).to(dtype).t(); // a strided view
            for (double v : numbers) {
                boolean integral = v == Math.rint(v) && Math.abs(v) < 1e9;
                if (!dtype.isFloatingPoint() && !integral) {
                    continue; // a fractional number promotes an integer tensor: covered by the dtype tests
                }
                Tensor full = Tensor.full(dtype, v, 4, 3);
                String what = dtype + " " + v;
                assertSameValues(x.add(full), x.add(v), what + " add");
                assertSameValues(x.sub(full), x.sub(v), what + " sub");
                assertSameValues(full.sub(x), x.rsub(v), what + " rsub");
                assertSameValues(x.mul(full), x.mul(v), what + " mul");
                assertSameValues(x.maximum(full), x.maximum(Tensor.full(dtype, v)), what + " maximum");
                assertSameValues(x.eq(full), x.eq(v), what + " eq");
                assertSameValues(x.ne(full), x.ne(v), what + " ne");
                assertSameValues(x.lt(full), x.lt(v), what + " lt");
                assertSameValues(x.ge(full), x.ge(v), what + " ge");
                assertSameValues(full.gt(x), x.lt(v), what + " gt (scalar on the left)");
                if (dtype.isFloatingPoint()) {
                    assertSameValues(x.div(full), x.div(v), what + " div");
                    assertSameValues(full.div(x), x.rdiv(v), what + " rdiv");
                    assertSameValues(x.pow(full), x.pow(v), what + " pow");
                }
                Tensor inPlace = x.contiguous();
                inPlace.mulInPlace(v);
                assertSameValues(x.mul(full), inPlace, what + " mulInPlace");
            }
        }
    }

    private static void assertSameValues(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what);
    }

    @Test
    void integerArithmeticStaysInteger() {
        Tensor a = i32(7, -7, 3);
        assertDType(DType.INT32, a.add(2));
        assertLongs(a.add(2), 9, -5, 5);
        assertLongs(a.mul(3), 21, -21, 9);
        assertLongs(a.sub(i32(1, 1, 1)), 6, -8, 2);
        assertLongs(a.neg(), -7, 7, -3);
        assertDType(DType.INT32, a.abs());
        assertLongs(a.abs(), 7, 7, 3);
        assertLongs(a.sign(), 1, -1, 1);
        assertLongs(a.relu(), 7, 0, 3);
        assertLongs(a.maximum(i32(0, 0, 5)), 7, 0, 5);
        assertLongs(a.minimum(i32(0, 0, 5)), 0, -7, 3);
        Tensor big = i64(1L << 40, -(1L << 41));
        assertLongs(big.mul(4), 1L << 42, -(1L << 43));
        assertDType(DType.INT64, big.add(i32(1, 1)));
    }

    @Test
    void integerPowerStaysInteger() {
        // PyTorch: an integer tensor raised to an integral scalar power stays an integer tensor.
        Tensor a = i64(2, 3, -2);
        assertDType(DType.INT64, a.pow(2));
        assertLongs(a.pow(2), 4, 9, 4);
        assertDType(DType.INT64, a.pow(3));
        assertLongs(a.pow(3), 8, 27, -8);
        assertDType(DType.FLOAT32, a.pow(0.5)); // a fractional exponent gives the default float
    }

    @Test
    void divisionIsTrueDivision() {
        Tensor q = i64(1, 2, 3, -7).div(i64(2, 2, 2, 2));
        assertDType(DType.FLOAT32, q);
        assertValues(q, 0.5, 1, 1.5, -3.5);
        assertDType(DType.FLOAT32, i32(7).div(2));
        assertValues(i32(7).div(2), 3.5);
        assertValues(i64(1, -1, 0).div(i64(0, 0, 0)), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN);
        assertValues(f32(1, -1, 0).div(0), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN);
    }

    @Test
    void dtypePromotion() {
        assertDType(DType.FLOAT32, i64(1, 2).add(f32(0.5f, 0.5f)));
        assertValues(i64(1, 2).add(f32(0.5f, 0.5f)), 1.5, 2.5);
        assertDType(DType.FLOAT32, f32(1).mul(i32(2)));
        assertDType(DType.INT64, i32(1).add(i64(2)));
        assertDType(DType.FLOAT64, f32(1).add(f64(2)));
        assertDType(DType.INT64, bools(true, false).add(bools(true, true)).add(i64(0, 0)));
        // integral Java numbers keep an integer tensor's dtype; fractional ones give the default float
        assertDType(DType.INT32, i32(1, 2).add(3));
        assertDType(DType.FLOAT32, i32(1, 2).add(0.5));
        assertValues(i32(1, 2).add(0.5), 1.5, 2.5);
        assertDType(DType.INT64, bools(true, false).add(1));
        assertLongs(bools(true, false).add(1), 2, 1);
        // 0-d tensors do not widen a dimensioned tensor of their category...
        assertDType(DType.FLOAT32, f32(1, 2).add(Tensor.scalar(DType.FLOAT64, 1)));
        assertDType(DType.INT32, i32(1, 2).add(Tensor.scalar(DType.INT64, 1)));
        // ...but a higher category wins
        assertDType(DType.FLOAT64, i32(1, 2).add(Tensor.scalar(DType.FLOAT64, 0.5)));
        assertDType(DType.FLOAT32, i64(1, 2).mul(Tensor.scalar(0.5)));
        // two 0-d tensors promote normally
        assertDType(DType.FLOAT64, Tensor.scalar(1).add(Tensor.scalar(DType.FLOAT64, 1)));
        // where promotes its two value operands
        assertDType(DType.FLOAT32, Tensor.where(bools(true, false), i64(1, 2), f32(0.5f, 0.5f)));
        // unary float ops on integers give the default float
        assertDType(DType.FLOAT32, i64(1).exp());
        assertValues(i64(0, 1).exp(), 1, Math.E);
        assertDType(DType.FLOAT32, i32(4).sqrt());
    }

    @Test
    void comparisonsGiveBool() {
        Tensor a = f32(1, 2, 3, Float.NaN);
        Tensor b = f32(3, 2, 1, Float.NaN);
        assertBools(a.eq(b), false, true, false, false);
        assertBools(a.ne(b), true, false, true, true);
        assertBools(a.lt(b), true, false, false, false);
        assertBools(a.le(b), true, true, false, false);
        assertBools(a.gt(b), false, false, true, false);
        assertBools(a.ge(b), false, true, true, false);
        assertBools(a.gt(1.5), false, true, true, false);
        assertBools(i64(1, 2, 3).lt(2.5), true, true, false);
        assertBools(i64(1, 2, 3).eq(f32(1, 2.5f, 3)), true, false, true);
        Tensor grid = f32(1, 2, 3).reshape(3, 1).le(f32(2, 3).reshape(1, 2));
        assertShape(grid, 3, 2);
        assertBools(grid, true, true, true, true, false, true);
        assertBools(bools(true, false).eq(bools(true, true)), true, false);
    }

    @Test
    void logicalOps() {
        Tensor p = bools(true, true, false, false);
        Tensor q = bools(true, false, true, false);
        assertBools(p.logicalAnd(q), true, false, false, false);
        assertBools(p.logicalOr(q), true, true, true, false);
        assertBools(p.logicalXor(q), false, true, true, false);
        assertBools(p.logicalNot(), false, false, true, true);
        // non-BOOL inputs: non-zero is true
        assertBools(f32(0, 2, -1, 0).logicalAnd(i64(5, 0, 1, 0)), false, false, true, false);
        assertBools(f32(0, 0.5f).logicalNot(), true, false);
    }

    @Test
    void whereAndMaskedFill() {
        Tensor cond = bools(true, false, true);
        assertValues(Tensor.where(cond, f32(1, 2, 3), f32(-1, -2, -3)), 1, -2, 3);
        assertValues(f32(1, 2, 3).where(cond, f32(0, 0, 0)), 1, 0, 3);
        Tensor rowMask = bools(true, false).reshape(2, 1);
        Tensor out = Tensor.where(rowMask, iota(2, 3), Tensor.scalar(-1));
        assertShape(out, 2, 3);
        assertValues(out, 0, 1, 2, -1, -1, -1);
        assertValues(iota(2, 3).maskedFill(bools(false, true, false), 9), 0, 9, 2, 3, 9, 5);
        assertValues(iota(2, 3).t().maskedFill(iota(3, 2).gt(3), -5), 0, 3, 1, 4, -5, -5);
        // a NaN in the unselected branch does not leak
        assertValues(Tensor.where(bools(true, false), f32(1, Float.NaN), f32(Float.NaN, 2)), 1, 2);
    }

    @Test
    void maskedFillKeepsTheDtype() {
        // PyTorch casts the fill value to the tensor's dtype: masked_fill never changes the dtype
        assertDType(DType.FLOAT64, f64(1).maskedFill(bools(true), 2));
        Tensor ints = i64(1, 2, 3).maskedFill(bools(true, false, false), 0.5);
        assertDType(DType.INT64, ints);
        assertLongs(ints, 0, 2, 3);
    }

    @Test
    void specialValues() {
        float nan = Float.NaN;
        assertValues(f32(nan, 1, 2).maximum(f32(0, nan, 1)), Double.NaN, Double.NaN, 2);
        assertValues(f32(nan, 1, 2).minimum(f32(0, nan, 1)), Double.NaN, Double.NaN, 1);
        double relu = f32(-0.0f).relu().item();
        assertEquals(0.0, relu);
        assertEquals(Double.POSITIVE_INFINITY, 1 / relu, "relu(-0.0) is +0.0");
        assertValues(f32(0, -0.0f, 3, -3).sign(), 0, 0, 1, -1);
        assertValues(f32(nan).relu(), Double.NaN);
        assertValues(f32(nan, Float.POSITIVE_INFINITY).exp(), Double.NaN, Double.POSITIVE_INFINITY);
        assertValues(f32(Float.NEGATIVE_INFINITY, 100).exp(), 0, Double.POSITIVE_INFINITY);
        assertValues(f32(0, -1).log(), Double.NEGATIVE_INFINITY, Double.NaN);
        assertValues(f32(-1).sqrt(), Double.NaN);
        assertValues(f32(0).rsqrt(), Double.POSITIVE_INFINITY);
        assertValues(f32(0, -0.0f).reciprocal(), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertValues(f32(-1).log1p(), Double.NEGATIVE_INFINITY);
        // saturating functions stay finite for large arguments
        assertValues(f32(-1000, 1000, -100, 100).sigmoid(), 0, 1, 0, 1);
        assertValues(f32(-1000, 1000).tanh(), -1, 1);
        assertValues(f64(-1000, 1000).sigmoid(), 0, 1);
        assertValues(f32(1000, -1000).softplus(), 1000, 0);
        assertValues(f32(1000, -1000).gelu(), 1000, -0.0);
        assertValues(f32(1000, -1000).silu(), 1000, -0.0);
        assertValues(f32(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY).erf(), 1, -1);
        // small arguments keep their precision
        assertValues(f64(1e-12).log1p(), 1e-12 - 5e-25);
        assertValues(f64(1e-12).expm1(), 1e-12 + 5e-25);
        assertValues(f32(1e-10f).expm1(), 1e-10);
        assertTrue(Float.isFinite(f32(88).exp().toFloatArray()[0]));
    }
}
