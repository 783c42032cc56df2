package dev.nabla.testkit;

import dev.nabla.BackendInfo;
import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.autograd.AnomalyMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Base of every testkit suite: runs each test with {@link #device()} as the default device and the
 * global generator seeded, and skips (with the backend probe's reason) where that device's backend
 * is missing or unavailable. A backend module runs a suite with a one-line subclass:
 * <pre>{@code
 * @TestDevice("cpu") class CpuElementwiseTest extends ElementwiseSuite { }
 * }</pre>
 *
 * <p>Expected values in the suites are hand-computed or come from naive Java loops in double
 * precision, never from the op under test.
 */
public abstract class BackendTestBase {
    /** Seed of the global generator before every test. */
    protected static final long SEED = 1234;

    /** Relative and absolute tolerance for FLOAT32 results. */
    protected static final double F32_RTOL = 1e-5;
    protected static final double F32_ATOL = 1e-6;
    /** Relative and absolute tolerance for FLOAT64 results. */
    protected static final double F64_RTOL = 1e-12;
    protected static final double F64_ATOL = 1e-12;

    private Device previousDefault;
    private boolean previousAnomaly;

    /** The device under test: from {@link TestDevice} on the concrete class, else the CPU. */
    protected Device device() {
        TestDevice annotation = getClass().getAnnotation(TestDevice.class);
        return annotation == null ? Device.CPU : Device.parse(annotation.value());
    }

    @BeforeEach
    void setUpDevice() {
        Device device = device();
        Assumptions.assumeTrue(Nabla.isAvailable(device), () -> unavailableReason(device));
        previousDefault = Nabla.defaultDevice();
        previousAnomaly = AnomalyMode.isEnabled();
        AnomalyMode.setEnabled(false);
        Nabla.setDefaultDevice(device);
        Nabla.manualSeed(SEED);
    }

    @AfterEach
    void restoreDevice() {
        if (previousDefault != null) {
            // Reading a value waits for the device's queued work, and an asynchronous backend reports an error of that
            // work on the next read: so it fails the test that caused it, not the next one.
            Tensor.zeros(1).to(device()).item();
            Nabla.setDefaultDevice(previousDefault);
            AnomalyMode.setEnabled(previousAnomaly);
        }
    }

    /** Why {@code device} cannot run here, in the words of its backend's probe. */
    static String unavailableReason(Device device) {
        List<BackendInfo> infos = Nabla.backends();
        List<BackendInfo> matching = infos.stream().filter(b -> b.name().equals(device.type())).toList();
        if (matching.isEmpty()) {
            return "no backend for device " + device + " on the class path (found: "
                    + infos.stream().map(BackendInfo::name).toList() + ")";
        }
        return "backend for device " + device + " is unavailable: "
                + String.join("; ", matching.stream().map(BackendInfo::detail).toList());
    }

    // ------------------------------------------------------------------ construction helpers

    protected static Tensor f32(float... values) {
        return Tensor.of(values);
    }

    protected static Tensor f64(double... values) {
        return Tensor.of(values);
    }

    protected static Tensor i64(long... values) {
        return Tensor.of(values);
    }

    protected static Tensor i32(int... values) {
        return Tensor.of(values);
    }

    protected static Tensor bools(boolean... values) {
        return Tensor.of(values);
    }

    /** FLOAT32 {@code 0, 1, ..., numel-1} in {@code shape}. */
    protected static Tensor iota(int... shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Tensor.of(v, shape);
    }

    /** Deterministic pseudo-random doubles in [lo, hi) (independent of the library's generator). */
    protected static double[] randomValues(long seed, int n, double lo, double hi) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * random.nextDouble();
        }
        return v;
    }

    protected static float[] toFloats(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** The values {@code values} take once stored as FLOAT32, as doubles. */
    protected static double[] roundedToFloat(double[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) values[i];
        }
        return d;
    }

    // ------------------------------------------------------------------ assertions

    protected static void assertShape(Tensor t, int... expected) {
        assertArrayEquals(expected, t.shape(), () -> "shape of " + describe(t));
    }

    protected static void assertDType(DType expected, Tensor t) {
        assertEquals(expected, t.dtype(), () -> "dtype of " + describe(t));
    }

    /** Values of {@code t} (any dtype) equal {@code expected} within the tolerance of its dtype. */
    protected static void assertValues(Tensor t, double... expected) {
        double rtol = t.dtype() == DType.FLOAT32 ? F32_RTOL : t.dtype() == DType.FLOAT64 ? F64_RTOL : 0;
        double atol = t.dtype() == DType.FLOAT32 ? F32_ATOL : t.dtype() == DType.FLOAT64 ? F64_ATOL : 0;
        assertClose(expected, t.toDoubleArray(), rtol, atol, describe(t));
    }

    protected static void assertValuesWithin(Tensor t, double rtol, double atol, double... expected) {
        assertClose(expected, t.toDoubleArray(), rtol, atol, describe(t));
    }

    protected static void assertLongs(Tensor t, long... expected) {
        assertArrayEquals(expected, t.toLongArray(), () -> "values of " + describe(t));
    }

    protected static void assertBools(Tensor t, boolean... expected) {
        assertDType(DType.BOOL, t);
        assertArrayEquals(expected, t.toBooleanArray(), () -> "values of " + describe(t));
    }

    /** Element-wise {@code |a - e| <= atol + rtol * |e|}; NaN matches NaN, infinities must match exactly. */
    protected static void assertClose(double[] expected, double[] actual, double rtol, double atol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, found " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok;
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                ok = Double.compare(e, a) == 0 || (Double.isNaN(e) && Double.isNaN(a));
            } else {
                ok = Math.abs(a - e) <= atol + rtol * Math.abs(e);
            }
            if (!ok) {
                fail(String.format(Locale.ROOT, "%s: element %d is %.10g, expected %.10g (|diff| %.3g)%n expected %s%n   actual %s",
                        what, i, a, e, Math.abs(a - e), abbreviate(expected), abbreviate(actual)));
            }
        }
    }

    private static String abbreviate(double[] values) {
        return values.length <= 24 ? Arrays.toString(values)
                : Arrays.toString(Arrays.copyOf(values, 24)).replace("]", ", ...]");
    }

    protected static String describe(Tensor t) {
        return "tensor " + Arrays.toString(t.shape()) + " " + t.dtype();
    }

    // ------------------------------------------------------------------ naive references

    /** Row-major [m, k] x [k, n] in double precision. */
    protected static double[] naiveMatmul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** Row-major transpose of an [rows, cols] matrix. */
    protected static double[] naiveTranspose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
