package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.HalfFloats;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BFLOAT16 and FLOAT16: storage, rounding of casts (hand-computed bit patterns), promotion, data movement, arithmetic
 * computed in FLOAT32 and rounded once, refusals, safetensors files and modules converted to a half type.
 */
public abstract class HalfPrecisionSuite extends BackendTestBase {
    private static final DType BF16 = DType.BFLOAT16;
    private static final DType F16 = DType.FLOAT16;
    private static final DType[] HALVES = {BF16, F16};

    private static float pow2(int e) {
        return Math.scalb(1f, e);
    }

    /** The bits {@code value} (a float) takes in {@code half} on the device under test. */
    private static short bitsOf(DType half, float value) {
        return Tensor.of(new float[]{value}).to(half).halfBits()[0];
    }

    private static String hex(short bits) {
        return String.format("0x%04X", bits & 0xFFFF);
    }

    private static void assertBits(int expected, short actual, String what) {
        assertEquals(hex((short) expected), hex(actual), what);
    }

    // ---------------------------------------------------------------- the dtypes

    @Test
    void dtypesAreTwoByteFloatingPoint() {
        for (DType h : HALVES) {
            assertTrue(h.isFloatingPoint(), h + " is floating point");
            assertTrue(h.isHalf());
            assertFalse(h.isIntegral());
            assertEquals(2, h.byteSize());
            assertEquals(h, h.toFloating());
        }
        assertFalse(DType.FLOAT32.isHalf());
    }

    @Test
    void promotionFollowsTorchPromoteTypes() {
        assertEquals(DType.FLOAT32, DType.promote(BF16, F16));
        assertEquals(DType.FLOAT32, DType.promote(F16, BF16));
        for (DType h : HALVES) {
            assertEquals(h, DType.promote(h, h));
            for (DType other : new DType[]{DType.BOOL, DType.INT8, DType.INT32, DType.INT64}) {
                assertEquals(h, DType.promote(h, other), h + " with " + other);
                assertEquals(h, DType.promote(other, h), other + " with " + h);
            }
            assertEquals(DType.FLOAT32, DType.promote(h, DType.FLOAT32));
            assertEquals(DType.FLOAT64, DType.promote(DType.FLOAT64, h));
        }
        // and the ops apply it
        Tensor b = Tensor.of(new float[]{1.5f, 2}).to(BF16);
        Tensor f = Tensor.of(new float[]{0.25f, 4}).to(F16);
        Tensor sum = b.add(f);
        assertDType(DType.FLOAT32, sum);
        assertValues(sum, 1.75, 6);
        assertDType(BF16, b.add(i64(1, 2)));
        assertValues(b.add(i64(1, 2)), 2.5, 4);
        assertDType(F16, f.mul(bools(true, false)));
        assertValues(f.mul(bools(true, false)), 0.25, 0);
        assertDType(DType.FLOAT32, b.add(f32(1, 1)));
        assertDType(DType.FLOAT64, f.add(f64(1, 1)));
        assertDType(BF16, i32(3, 4).div(Tensor.of(new float[]{2, 8}).to(BF16)));
        // a 0-d FLOAT32 tensor does not widen a dimensioned half tensor (same category), as in PyTorch
        assertDType(F16, f.add(Tensor.scalar(0.5)));
        assertDType(BF16, b.mul(2.0));
    }

    // ---------------------------------------------------------------- rounding

    @Test
    void exactlyRepresentableValuesRoundTrip() {
        float[] values = {0, 1, -2, 0.5f, 0.375f, 3, -1024, 1.5f, 7.25f, pow2(-14), 61440};
        for (DType h : HALVES) {
            Tensor t = Tensor.of(values).to(h);
            assertDType(h, t);
            assertArrayEquals(values, t.toFloatArray(), h.toString());
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            assertArrayEquals(d, t.toDoubleArray(), h.toString());
            assertArrayEquals(d, t.to(DType.FLOAT64).to(h).to(DType.FLOAT64).toDoubleArray(), h + " via FLOAT64");
            assertEquals(7.25, Tensor.of(new float[]{7.25f}).to(h).reshape().item(), h + " item");
            assertArrayEquals(new long[]{0, 1, -2, 0, 0, 3, -1024, 1, 7, 0, 61440}, t.toLongArray(), h + " to INT64");
            assertArrayEquals(new int[]{0, 1, -2, 0, 0, 3, -1024, 1, 7, 0, 61440}, t.toIntArray(), h + " to INT32");
            assertArrayEquals(new boolean[]{false, true, true, true, true, true, true, true, true, true, true},
                    t.toBooleanArray(), h + " to BOOL");
            assertArrayEquals(new byte[]{0, 1, -2, 0, 0, 3, 0, 1, 7, 0, (byte) 61440}, t.toByteArray(), h + " to INT8");
        }
        assertBits(0x3F80, bitsOf(BF16, 1), "bf16 1.0");
        assertBits(0xC000, bitsOf(BF16, -2), "bf16 -2.0");
        assertBits(0x3C00, bitsOf(F16, 1), "f16 1.0");
        assertBits(0xC000, bitsOf(F16, -2), "f16 -2.0");
        assertBits(0x7BFF, bitsOf(F16, 65504), "f16 65504 (largest finite)");
        assertBits(0x0400, bitsOf(F16, pow2(-14)), "f16 2^-14 (smallest normal)");
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        // bf16 keeps 7 fraction bits: near 1 its spacing is 2^-7
        assertBits(0x3F80, bitsOf(BF16, 1 + pow2(-8)), "1 + 2^-8 is halfway: ties to the even 1.0");
        assertBits(0x3F81, bitsOf(BF16, 1 + 3 * pow2(-9)), "1 + 3*2^-9 is nearer 1 + 2^-7");
        assertBits(0x3F82, bitsOf(BF16, 1 + 3 * pow2(-8)), "1 + 3*2^-8 is halfway: ties to the even 1 + 2^-6");
        assertBits(0x3F81, bitsOf(BF16, 1 + pow2(-8) + pow2(-20)), "just above halfway rounds up");
        assertBits(0x3F80, bitsOf(BF16, 1 + pow2(-8) - pow2(-20)), "just below halfway rounds down");
        assertBits(0xBF80, bitsOf(BF16, -(1 + pow2(-8))), "negative ties to even too");
        assertBits(0x7F80, bitsOf(BF16, Float.MAX_VALUE), "float32's largest rounds up to infinity");
        assertBits(0x7F7F, bitsOf(BF16, Float.intBitsToFloat(0x7F7F7FFF)), "below the halfway point stays finite");
        assertBits(0x0000, bitsOf(BF16, Float.MIN_VALUE), "the smallest float32 subnormal rounds to 0");
        assertBits(0x0001, bitsOf(BF16, Float.intBitsToFloat(0x00010000)), "a bf16 subnormal is kept");
        // the reference conversion agrees
        assertBits(0x3F82, HalfFloats.toBFloat16(1 + 3 * pow2(-8)), "HalfFloats");
        assertEquals(1 + pow2(-7), HalfFloats.bfloat16ToFloat((short) 0x3F81));
    }

    @Test
    void float16RoundsToNearestEvenOverflowsAndKeepsSubnormals() {
        // f16 keeps 10 fraction bits: near 1 its spacing is 2^-10
        assertBits(0x3C00, bitsOf(F16, 1 + pow2(-11)), "1 + 2^-11 is halfway: ties to the even 1.0");
        assertBits(0x3C02, bitsOf(F16, 1 + 3 * pow2(-11)), "1 + 3*2^-11 is halfway: ties to the even 1 + 2^-9");
        assertBits(0x3C01, bitsOf(F16, 1 + pow2(-11) + pow2(-20)), "just above halfway rounds up");
        assertBits(0x7BFF, bitsOf(F16, 65519), "65519 rounds down to 65504");
        assertBits(0x7C00, bitsOf(F16, 65520), "65520 (halfway to 65536) overflows to infinity");
        assertBits(0xFC00, bitsOf(F16, -1e6f), "large negatives overflow to -infinity");
        assertBits(0x0001, bitsOf(F16, pow2(-24)), "2^-24 is the smallest subnormal");
        assertBits(0x0000, bitsOf(F16, pow2(-25)), "2^-25 is halfway to 2^-24: ties to the even 0");
        assertBits(0x0002, bitsOf(F16, 3 * pow2(-25)), "3*2^-25 is halfway: ties to the even 2^-23");
        assertBits(0x03FF, bitsOf(F16, 1023 * pow2(-24)), "the largest subnormal");
        assertBits(0x8001, bitsOf(F16, -pow2(-24)), "negative subnormal");
        assertEquals(pow2(-24), Tensor.ofHalfBits(F16, new short[]{1}, 1).toFloatArray()[0], "back exactly");
        assertEquals(65504f, Tensor.ofHalfBits(F16, new short[]{0x7BFF}, 1).toFloatArray()[0]);
    }

    @Test
    void nanInfinityAndNegativeZero() {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f};
        for (DType h : HALVES) {
            Tensor t = Tensor.of(specials).to(h);
            short[] bits = t.halfBits();
            int expMask = h == BF16 ? 0x7F80 : 0x7C00;
            int fracMask = h == BF16 ? 0x007F : 0x03FF;
            assertTrue((bits[0] & expMask) == expMask && (bits[0] & fracMask) != 0, h + " NaN stays NaN: " + hex(bits[0]));
            assertBits(expMask, bits[1], h + " +inf");
            assertBits(0x8000 | expMask, bits[2], h + " -inf");
            assertBits(0x8000, bits[3], h + " -0");
            assertBits(0x0000, bits[4], h + " +0");
            float[] back = t.toFloatArray();
            assertTrue(Float.isNaN(back[0]));
            assertEquals(Float.POSITIVE_INFINITY, back[1]);
            assertEquals(Float.NEGATIVE_INFINITY, back[2]);
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[3]), h + " -0 comes back as -0");
            assertTrue(Double.isNaN(t.toDoubleArray()[0]));
            assertArrayEquals(new boolean[]{true, true, true, false, false}, t.toBooleanArray());
        }
        // a NaN whose payload sits only in bits that bf16 drops is still a NaN
        assertTrue(Float.isNaN(HalfFloats.bfloat16ToFloat(HalfFloats.toBFloat16(Float.intBitsToFloat(0x7F800001)))));
        assertTrue(Float.isNaN(Tensor.of(new float[]{Float.intBitsToFloat(0xFF800001)}).to(BF16).toFloatArray()[0]));
    }

    @Test
    void castsBetweenTheHalfTypesAndFromEveryDtype() {
        Tensor b = Tensor.of(new float[]{1 + pow2(-7), 3e38f, 65504}).to(BF16);
        // bf16 -> f16: 1 + 2^-7 exactly, 3e38 overflows, 65504 in bf16 is 65536 -> inf in f16
        Tensor f = b.to(F16);
        assertDType(F16, f);
        assertArrayEquals(new float[]{1 + pow2(-7), Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}, f.toFloatArray());
        // f16 -> bf16 rounds the 10 fraction bits to 7
        Tensor back = Tensor.of(new float[]{1 + 3 * pow2(-8), 1 + 3 * pow2(-10)}).to(F16).to(BF16);
        assertBits(0x3F82, back.halfBits()[0], "f16 1 + 3*2^-8 -> bf16 is halfway: ties to the even 1 + 2^-6");
        assertBits(0x3F80, back.halfBits()[1], "f16 1 + 3*2^-10 -> bf16 is nearer 1");
        for (DType h : HALVES) {
            assertArrayEquals(new float[]{-3, 0, 7}, i64(-3, 0, 7).to(h).toFloatArray(), "INT64 -> " + h);
            assertArrayEquals(new float[]{-3, 0, 7}, i32(-3, 0, 7).to(h).toFloatArray(), "INT32 -> " + h);
            assertArrayEquals(new float[]{-3, 0, 7}, Tensor.of(new byte[]{-3, 0, 7}).to(h).toFloatArray(), "INT8 -> " + h);
            assertArrayEquals(new float[]{1, 0}, bools(true, false).to(h).toFloatArray(), "BOOL -> " + h);
            assertArrayEquals(new float[]{0.5f, -1.25f}, f64(0.5, -1.25).to(h).toFloatArray(), "FLOAT64 -> " + h);
            assertDType(h, i64(1).to(h));
        }
        // integers round too: 257 is not a bf16 (8 significant bits), ties to even 256; f16 holds it
        assertArrayEquals(new float[]{256, 260}, i64(257, 259).to(BF16).toFloatArray());
        assertArrayEquals(new float[]{257, 259}, i64(257, 259).to(F16).toFloatArray());
        // conversion back to integers truncates toward zero, as from FLOAT32
        assertArrayEquals(new long[]{2, -2}, Tensor.of(new float[]{2.75f, -2.75f}).to(F16).toLongArray());
    }

    // ---------------------------------------------------------------- creation and data movement

    @Test
    void creationAndFill() {
        for (DType h : HALVES) {
            Tensor z = Tensor.zeros(h, 2, 3);
            assertDType(h, z);
            assertShape(z, 2, 3);
            assertValues(z, 0, 0, 0, 0, 0, 0);
            assertValues(Tensor.ones(h, 2), 1, 1);
            Tensor full = Tensor.full(h, 0.1, 3);
            double tenth = h == BF16 ? HalfFloats.bfloat16ToFloat(HalfFloats.toBFloat16(0.1f))
                    : HalfFloats.float16ToFloat(HalfFloats.toFloat16(0.1f));
            assertValues(full, tenth, tenth, tenth);
            assertDType(h, Tensor.zerosLike(full));
            assertValues(Tensor.fullLike(full, -4), -4, -4, -4);
            Tensor filled = Tensor.zeros(h, 2, 3);
            filled.slice(1, 1, 3).fillInPlace(2.5);
            assertValues(filled, 0, 2.5, 2.5, 0, 2.5, 2.5);
            Tensor target = Tensor.zeros(h, 2, 2);
            target.copyFrom(f32(1.5f, -3));
            assertValues(target, 1.5, -3, 1.5, -3);
            assertEquals(-1.5, Tensor.scalar(h, -1.5).item());
            assertDType(h, Tensor.scalar(h, -1.5));
            short[] raw = {0x3F80, (short) 0xC000};
            Tensor fromBits = Tensor.ofHalfBits(h, raw, 2, 1);
            assertShape(fromBits, 2, 1);
            assertArrayEquals(raw, fromBits.halfBits());
            assertTrue(fromBits.toString().contains("dtype=" + h), fromBits.toString());
            Tensor onCpu = fromBits.to(dev.nabla.Device.CPU);
            assertDType(h, onCpu);
            assertArrayEquals(raw, onCpu.halfBits(), "moved between devices as bits");
            assertArrayEquals(raw, onCpu.to(device()).halfBits());
        }
    }

    @Test
    void viewsAndDataMovement() {
        for (DType h : HALVES) {
            Tensor x = iota(2, 3).to(h);                              // [[0, 1, 2], [3, 4, 5]]
            assertValues(x.transpose(0, 1), 0, 3, 1, 4, 2, 5);
            assertValues(x.transpose(0, 1).contiguous(), 0, 3, 1, 4, 2, 5);
            assertDType(h, x.transpose(0, 1).contiguous());
            assertValues(x.reshape(3, 2), 0, 1, 2, 3, 4, 5);
            assertValues(x.transpose(0, 1).reshape(6), 0, 3, 1, 4, 2, 5);
            assertValues(x.slice(1, 1, 3), 1, 2, 4, 5);
            assertValues(x.slice(0, 1, 2).expand(2, 3), 3, 4, 5, 3, 4, 5);
            assertArrayEquals(x.transpose(0, 1).contiguous().halfBits(), x.transpose(0, 1).halfBits(),
                    "halfBits reads a strided view in row-major order");

            Tensor cat = Tensor.cat(0, x, x.slice(0, 0, 1));
            assertDType(h, cat);
            assertValues(cat, 0, 1, 2, 3, 4, 5, 0, 1, 2);
            assertValues(Tensor.cat(1, x, x), 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);

            Tensor w = Tensor.where(bools(true, false, true).reshape(1, 3), x, Tensor.zerosLike(x));
            assertDType(h, w);
            assertValues(w, 0, 0, 2, 3, 0, 5);

            Tensor g = x.gather(1, Tensor.of(new long[]{2, 0, 1, 1}, 2, 2));
            assertDType(h, g);
            assertValues(g, 2, 0, 4, 4);
            Tensor sel = x.indexSelect(1, i64(2, 0));
            assertDType(h, sel);
            assertValues(sel, 2, 0, 5, 3);
            Tensor padded = x.pad(new int[]{1, 0}, -1);
            assertDType(h, padded);
            assertValues(padded, -1, 0, 1, 2, -1, 3, 4, 5);
            Tensor masked = x.maskedFill(x.gt(2), 9);
            assertDType(h, masked);
            assertValues(masked, 0, 1, 2, 9, 9, 9);
        }
    }

    // ---------------------------------------------------------------- arithmetic: FLOAT32, rounded once

    /** {@code op} applied in FLOAT32 to the half values of {@code a} and {@code b}, rounded to {@code h}. */
    private interface FloatOp {
        float apply(float a, float b);
    }

    private static short[] reference(DType h, short[] a, short[] b, FloatOp op) {
        short[] out = new short[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = HalfFloats.fromFloat(h, op.apply(HalfFloats.toFloat(h, a[i]), HalfFloats.toFloat(h, b[i])));
        }
        return out;
    }

    @Test
    void elementwiseArithmeticComputesInFloat32AndRoundsOnce() {
        int n = 257;
        for (DType h : HALVES) {
            Tensor a = Tensor.of(toFloats(randomValues(7, n, -4, 4))).to(h);
            Tensor b = Tensor.of(toFloats(randomValues(8, n, 0.25, 3))).to(h);
            short[] ab = a.halfBits();
            short[] bb = b.halfBits();
            assertArrayEquals(reference(h, ab, bb, Float::sum), a.add(b).halfBits(), h + " add");
            assertArrayEquals(reference(h, ab, bb, (x, y) -> x - y), a.sub(b).halfBits(), h + " sub");
            assertArrayEquals(reference(h, ab, bb, (x, y) -> x * y), a.mul(b).halfBits(), h + " mul");
            assertArrayEquals(reference(h, ab, bb, (x, y) -> x / y), a.div(b).halfBits(), h + " div");
            assertArrayEquals(reference(h, ab, bb, Math::max), a.maximum(b).halfBits(), h + " maximum");
            assertDType(h, a.add(b));
            // unary ops: the FLOAT32 result on this device, rounded to the half type
            for (var op : java.util.List.<java.util.function.UnaryOperator<Tensor>>of(Tensor::exp, Tensor::tanh,
                    Tensor::relu, Tensor::neg, Tensor::abs, Tensor::sigmoid)) {
                Tensor got = op.apply(a);
                assertDType(h, got);
                assertArrayEquals(op.apply(a.to(DType.FLOAT32)).to(h).halfBits(), got.halfBits(), h + " unary");
            }
            // comparisons give BOOL
            Tensor lt = a.lt(b);
            assertDType(DType.BOOL, lt);
            boolean[] expected = new boolean[n];
            for (int i = 0; i < n; i++) {
                expected[i] = HalfFloats.toFloat(h, ab[i]) < HalfFloats.toFloat(h, bb[i]);
            }
            assertArrayEquals(expected, lt.toBooleanArray());
            // a strided, broadcast operand and an in-place update
            Tensor m = iota(2, 3).to(h);
            assertValues(m.transpose(0, 1).mul(Tensor.of(new float[]{1, 10}).to(h)), 0, 30, 1, 40, 2, 50);
            Tensor acc = Tensor.ones(h, 2, 3);
            try (var off = GradMode.noGrad()) {
                acc.addInPlace(m.mul(0.5));
            }
            assertDType(h, acc);
            assertValues(acc, 1, 1.5, 2, 2.5, 3, 3.5);
        }
        // rounding once: 1 + 2^-8 + 2^-8 is 1 + 2^-7 in bf16 (computed in float), not 1 (as bf16 + bf16 twice)
        Tensor one = Tensor.ones(BF16, 1);
        Tensor small = Tensor.full(BF16, pow2(-8), 1);
        assertValues(one.add(small.add(small)), 1 + pow2(-7));
    }

    @Test
    void reductionsAccumulateInFloat32() {
        for (DType h : HALVES) {
            // 1000 ones: a sum kept in bf16 would stop at 256 (256 + 1 rounds back to 256)
            Tensor ones = Tensor.ones(h, 1000);
            Tensor sum = ones.sum();
            assertDType(h, sum);
            assertEquals(1000.0, sum.item(), h + " sum");
            assertEquals(1.0, ones.mean().item(), h + " mean");
            Tensor x = iota(2, 3).to(h);
            assertValues(x.sum(1), 3, 12);
            assertValues(x.sum(0), 3, 5, 7);
            assertValues(x.amax(new int[]{1}, false), 2, 5);
            assertValues(x.mean(0), 1.5, 2.5, 3.5);
            Tensor arg = x.argmax(1, false);
            assertDType(DType.INT64, arg);
            assertLongs(arg, 2, 2);
            assertDType(h, x.softmax(1));
            // softmax is composed of primitives, each rounded to the half type: within a few half ulps of FLOAT32
            double[] ref = x.to(DType.FLOAT32).softmax(1).toDoubleArray();
            assertClose(ref, x.softmax(1).toDoubleArray(), h == BF16 ? 2e-2 : 3e-3, 1e-3, h + " softmax");
        }
    }

    @Test
    void matmulAndLinearComputeInFloat32() {
        for (DType h : HALVES) {
            Tensor a = iota(2, 3).to(h);
            Tensor b = iota(3, 2).to(h);
            Tensor c = a.matmul(b);
            assertDType(h, c);
            assertValues(c, 10, 13, 28, 40);
            Tensor batched = iota(2, 2, 3).to(h).matmul(b);
            assertShape(batched, 2, 2, 2);
            assertValues(batched, 10, 13, 28, 40, 46, 67, 64, 94);
            Tensor x = Tensor.of(toFloats(randomValues(3, 4 * 16, -1, 1)), 4, 16).to(h);
            Tensor w = Tensor.of(toFloats(randomValues(4, 8 * 16, -1, 1)), 8, 16).to(h);
            Tensor ref = x.to(DType.FLOAT32).matmul(w.to(DType.FLOAT32).transpose(0, 1)).to(h);
            assertArrayEquals(ref.halfBits(), x.matmul(w.transpose(0, 1)).halfBits(), h + " [4,16] x [16,8]");
        }
    }

    @Test
    void gradientsFlowThroughHalfTensors() {
        for (DType h : HALVES) {
            Tensor x = Tensor.of(new float[]{1, -2, 3}).to(h).requiresGrad(true);
            Tensor loss = x.mul(x).sum();
            assertDType(h, loss);
            loss.backward();
            assertDType(h, x.grad());
            assertValues(x.grad(), 2, -4, 6);
        }
    }

    @Test
    void optimizersUpdateHalfParameters() {
        for (DType h : HALVES) {
            Tensor p = Tensor.of(new float[]{1, -2}).to(h).requiresGrad(true);
            var sgd = new dev.nabla.optim.SGD(java.util.List.of(p), 0.25);
            p.mul(p).sum().backward();                       // grad 2p
            sgd.step();
            assertDType(h, p);
            assertValues(p, 0.5, -1);                        // p - 0.25 * 2p, exact in both types
            Tensor q = Tensor.of(new float[]{1, -2}).to(h).requiresGrad(true);
            var adam = new dev.nabla.optim.Adam(java.util.List.of(q), 0.125);
            q.mul(q).sum().backward();
            adam.step();                                     // the first Adam step moves each weight by about lr
            assertDType(h, q);
            assertValuesWithin(q, 0, 1e-2, 0.875, -1.875);
        }
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void clearErrors() {
        DTypeException e = assertThrows(DTypeException.class, () -> f32(1, 2).halfBits());
        assertTrue(e.getMessage().contains("halfBits") && e.getMessage().contains("FLOAT32"), e.getMessage());
        e = assertThrows(DTypeException.class, () -> Tensor.ofHalfBits(DType.FLOAT32, new short[1], 1));
        assertTrue(e.getMessage().contains("BFLOAT16 or FLOAT16"), e.getMessage());
        assertThrows(dev.nabla.ShapeException.class, () -> Tensor.ofHalfBits(BF16, new short[3], 2));
        e = assertThrows(DTypeException.class, () -> new Linear(2, 2).to(DType.INT32));
        assertTrue(e.getMessage().contains("floating-point"), e.getMessage());
        // Nabla's layers promote mixed dtypes (where PyTorch refuses): a FLOAT32 input to a bf16 layer computes in FLOAT32
        Module half = new Linear(2, 2).to(BF16);
        try (var off = GradMode.noGrad()) {
            assertDType(DType.FLOAT32, half.call(Tensor.of(new float[]{1, 2}, 1, 2)));
            assertDType(BF16, half.call(Tensor.of(new float[]{1, 2}, 1, 2).to(BF16)));
        }
        // ops keep their dtype rules: a half condition is converted, a half index is not an index
        DTypeException index = assertThrows(DTypeException.class,
                () -> iota(3).gather(0, Tensor.of(new float[]{0, 1}).to(F16)));
        assertTrue(index.getMessage().contains("FLOAT16"), index.getMessage());
    }

    @Test
    void anomalyModeSeesHalfResults() {
        boolean previous = dev.nabla.autograd.AnomalyMode.isEnabled();
        dev.nabla.autograd.AnomalyMode.setEnabled(true);
        try {
            Tensor big = Tensor.full(F16, 60000, 2);
            dev.nabla.AnomalyException e = assertThrows(dev.nabla.AnomalyException.class, () -> big.add(big));
            assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
            assertValues(Tensor.full(BF16, 60000, 1).add(Tensor.full(BF16, 60000, 1)), 119808); // bf16(60000) = 59904, finite
        } finally {
            dev.nabla.autograd.AnomalyMode.setEnabled(previous);
        }
    }

    // ---------------------------------------------------------------- files and modules

    @Test
    void safeTensorsRoundTrip(@TempDir Path dir) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.of(new float[]{1, -0.5f, 3e38f, Float.NaN, -0f, 1 + pow2(-7)}, 2, 3).to(BF16));
        tensors.put("f", Tensor.of(new float[]{65504, pow2(-24), -2, Float.NEGATIVE_INFINITY}, 4).to(F16));
        tensors.put("x", f32(1.25f));
        Path file = dir.resolve("half.safetensors");
        SafeTensors.write(file, tensors);
        Map<String, Tensor> back = SafeTensors.read(file).tensors();
        for (String name : tensors.keySet()) {
            assertDType(tensors.get(name).dtype(), back.get(name));
            assertShape(back.get(name), tensors.get(name).shape());
        }
        assertArrayEquals(tensors.get("b").halfBits(), back.get("b").halfBits(), "BF16 bits");
        assertArrayEquals(tensors.get("f").halfBits(), back.get("f").halfBits(), "F16 bits");
    }

    @Test
    void readsAHandWrittenSafeTensorsFile(@TempDir Path dir) throws Exception {
        // as torch's safetensors writes them: header JSON padded with spaces, then little-endian 2-byte elements
        String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]}}";
        while ((8 + header.length()) % 8 != 0) {
            header += " ";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
        out.write(headerBytes);
        // bf16: 1.0 = 0x3F80, -2.0 = 0xC000, 0.5 = 0x3F00, +inf = 0x7F80
        out.write(new byte[]{(byte) 0x80, 0x3F, 0x00, (byte) 0xC0, 0x00, 0x3F, (byte) 0x80, 0x7F});
        // f16: 1.0 = 0x3C00, 65504 = 0x7BFF, 2^-24 = 0x0001
        out.write(new byte[]{0x00, 0x3C, (byte) 0xFF, 0x7B, 0x01, 0x00});
        Path file = dir.resolve("torch.safetensors");
        Files.write(file, out.toByteArray());
        Map<String, Tensor> t = SafeTensors.read(file).tensors();
        assertDType(BF16, t.get("w"));
        assertShape(t.get("w"), 2, 2);
        assertValues(t.get("w"), 1, -2, 0.5, Double.POSITIVE_INFINITY);
        assertDType(F16, t.get("h"));
        assertValues(t.get("h"), 1, 65504, Math.scalb(1.0, -24));
        // and Nabla writes the same element bytes
        byte[] written = SafeTensors.toBytes(Map.of("w", t.get("w")), Map.of());
        byte[] tail = java.util.Arrays.copyOfRange(written, written.length - 8, written.length);
        assertArrayEquals(new byte[]{(byte) 0x80, 0x3F, 0x00, (byte) 0xC0, 0x00, 0x3F, (byte) 0x80, 0x7F}, tail);
    }

    @Test
    void moduleToHalfStoresAndRuns(@TempDir Path dir) {
        Module model = new Sequential(new Linear(4, 8), Activation.relu(), new Linear(8, 3));
        Tensor x = Tensor.of(toFloats(randomValues(11, 2 * 4, -1, 1)), 2, 4);
        Tensor expected;
        try (var off = GradMode.noGrad()) {
            expected = model.call(x);
        }
        model.to(BF16);
        for (Tensor p : model.parameters()) {
            assertDType(BF16, p);
            assertTrue(p.requiresGrad());
        }
        Tensor got;
        try (var off = GradMode.noGrad()) {
            got = model.call(x.to(BF16));
        }
        assertDType(BF16, got);
        // bf16 keeps about 3 significant digits; a few roundings on the way
        assertClose(expected.toDoubleArray(), got.toDoubleArray(), 0.05, 0.05, "bf16 forward vs float32");
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, model.stateDict());
        Map<String, Tensor> state = SafeTensors.read(file).tensors();
        state.values().forEach(t -> assertDType(BF16, t));
        Module fresh = new Sequential(new Linear(4, 8), Activation.relu(), new Linear(8, 3)).to(BF16);
        fresh.loadStateDict(state, true);
        try (var off = GradMode.noGrad()) {
            assertArrayEquals(got.halfBits(), fresh.call(x.to(BF16)).halfBits(), "the loaded model computes the same");
        }
        model.to(DType.FLOAT32);
        model.parameters().forEach(p -> assertDType(DType.FLOAT32, p));
    }
}
