package dev.nabla.cuda.emu;

import dev.nabla.DType;
import dev.nabla.cuda.kernels.KernelCall;
import dev.nabla.cuda.kernels.KernelCalls;
import dev.nabla.random.Philox;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.JavaArrays;
import dev.nabla.spi.Layout;
import dev.nabla.spi.RandomDistribution;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Random;

import static dev.nabla.DType.BOOL;
import static dev.nabla.DType.FLOAT32;
import static dev.nabla.DType.FLOAT64;
import static dev.nabla.DType.INT32;
import static dev.nabla.DType.INT64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The host-side launch code (KernelCalls: kernel names, argument order, conversions, merged layouts, grids) run
 * through the emulation for every SPI primitive, against the CPU backend's semantics.
 */
class KernelCallsEmulationTest extends EmulationTestBase {

    @Test
    void elementwisePrimitivesThroughKernelCalls() throws IOException {
        Random r = new Random(51);
        for (UnaryOp op : UnaryOp.values()) {
            for (DType d : new DType[] {FLOAT32, FLOAT64, INT32, INT64, BOOL}) {
                boolean ok = d == BOOL ? op == UnaryOp.LOGICAL_NOT : d.isFloatingPoint() ? op != UnaryOp.LOGICAL_NOT
                        : op.supportsIntegers();
                if (!ok) {
                    assertThrows(UnsupportedOperationException.class,
                            () -> KernelCalls.unary(op, d, null, Layout.contiguous(1), null, Layout.contiguous(1), 0));
                    continue;
                }
                String name = op.name().toLowerCase();
                double alpha = 0.2;
                elementwiseCase(r, "unary " + op + " " + d, new DType[] {d}, d, v -> JavaRef.unary(name, d, v[0], alpha),
                        JavaRef.unaryUlps(name, d), false,
                        (p, ls, out, lo, n) -> launch(KernelCalls.unary(op, d, p[0], ls[0], out, lo, alpha), r.nextInt(3)), null);
            }
        }
        for (BinaryOp op : BinaryOp.values()) {
            for (DType d : new DType[] {FLOAT32, FLOAT64, INT32, INT64, BOOL}) {
                String name = op.name().toLowerCase();
                boolean ok = switch (d) {
                    case BOOL -> java.util.Arrays.asList(JavaRef.BINARY_BOOL).contains(name);
                    case FLOAT32, FLOAT64 -> java.util.Arrays.asList(JavaRef.BINARY_FLOAT).contains(name);
                    default -> java.util.Arrays.asList(JavaRef.BINARY_INT).contains(name);
                };
                if (!ok) {
                    assertThrows(UnsupportedOperationException.class, () -> KernelCalls.binary(op, d, null,
                            Layout.contiguous(1), null, Layout.contiguous(1), null, Layout.contiguous(1)));
                    continue;
                }
                DType outType = op.isComparison() || d == BOOL ? BOOL : d;
                long ulps = op == BinaryOp.POW ? 2 : 0;
                elementwiseCase(r, "binary " + op + " " + d, new DType[] {d, d}, outType,
                        v -> JavaRef.binary(name, d, v[0], v[1]), ulps, false,
                        (p, ls, out, lo, n) -> launch(KernelCalls.binary(op, d, p[0], ls[0], p[1], ls[1], out, lo), r.nextInt(3)),
                        null);
                boolean left = r.nextBoolean();
                double s = d == BOOL ? 1 : d.isFloatingPoint() ? -1.5 : 7;
                Object sv = JavaRef.scalarAs(d, s);
                elementwiseCase(r, "binaryScalar " + op + " " + d, new DType[] {d}, outType,
                        v -> left ? JavaRef.binary(name, d, sv, v[0]) : JavaRef.binary(name, d, v[0], sv), ulps, false,
                        (p, ls, out, lo, n) -> launch(KernelCalls.binaryScalar(op, d, p[0], ls[0], s, left, out, lo),
                                r.nextInt(3)), null);
            }
        }
        for (DType d : DType.values()) {
            elementwiseCase(r, "where " + d, new DType[] {BOOL, d, d}, d, v -> (Boolean) v[0] ? v[1] : v[2], 0, true,
                    (p, ls, out, lo, n) -> launch(KernelCalls.where(d, p[0], ls[0], p[1], ls[1], p[2], ls[2], out, lo),
                            r.nextInt(3)), null);
            for (DType to : DType.values()) {
                elementwiseCase(r, "copy " + d + " -> " + to, new DType[] {d}, to, v -> JavaRef.convert(v[0], d, to), 0,
                        d == to || !d.isFloatingPoint(),
                        (p, ls, out, lo, n) -> launch(KernelCalls.copy(d, p[0], ls[0], to, out, lo), r.nextInt(3)), null);
            }
            double value = -300.7;
            elementwiseCase(r, "fill " + d, new DType[0], d, v -> JavaRef.fillElement(d, value), 0, true,
                    (p, ls, out, lo, n) -> launch(KernelCalls.fill(d, out, lo, value), r.nextInt(3)), null);
        }
    }

    @Test
    void reduceThroughKernelCalls() throws IOException {
        Random r = new Random(52);
        int[][] shapes = {{3000}, {40, 50}, {2000, 3}, {3, 2000}, {4, 0}, {6, 5, 4}, {70000}, {2, 40000}};
        for (ReduceOp op : ReduceOp.values()) {
            for (DType d : new DType[] {FLOAT32, FLOAT64, INT32, INT64, BOOL}) {
                if (d == BOOL && op != ReduceOp.MAX && op != ReduceOp.MIN) {
                    continue;
                }
                for (int[] shape : shapes) {
                    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
                    int[] dims = arg || r.nextBoolean() ? new int[] {r.nextInt(shape.length)} : new int[] {0, shape.length - 1};
                    if (dims.length == 2 && dims[0] == dims[1]) {
                        dims = new int[] {0};
                    }
                    int[] outShape = shape.clone();
                    boolean empty = false;
                    for (int k : dims) {
                        empty |= shape[k] == 0;
                        outShape[k] = 1;
                    }
                    Layout xl = Host.randomLayout(r, shape, true);
                    Layout ol = Host.randomLayout(r, outShape, false);
                    DType outType = arg ? INT64 : d;
                    if (empty && op != ReduceOp.SUM && op != ReduceOp.PROD) {
                        int[] fd = dims;
                        assertThrows(IllegalArgumentException.class, () -> KernelCalls.reduce(op, d, null, xl, fd, null, ol));
                        continue;
                    }
                    Object xh = Host.randomArray(d, Host.span(xl), r, false);
                    Object oh = Host.randomArray(outType, Host.span(ol), r, false);
                    DArr dx = upload(d, xh), dout = upload(outType, oh);
                    long scratchBytes = KernelCalls.reduceScratchBytes(op, d, xl, dims, ol);
                    DArr scratch = scratchBytes == 0 ? null : alloc(DType.INT8, (int) scratchBytes);
                    KernelCall[] calls = KernelCalls.reduce(op, d, dx.ptr(), xl, dims, dout.ptr(), ol,
                            scratch == null ? null : scratch.ptr());
                    if (calls.length == 0) {
                        assertEquals(0, ol.numel());
                        free(dx, dout);
                        continue;
                    }
                    for (KernelCall c : calls) {
                        launch(c, r.nextInt(3));
                    }
                    if (scratch != null) {
                        free(scratch);
                    }
                    KernelCall call = calls[calls.length - 1];
                    Object actual = download(dout);
                    // reference: group x's elements by output
                    int nOut = Host.numel(outShape), n = Host.numel(shape);
                    Object[] groups = new Object[nOut];
                    int[] fill = new int[nOut];
                    for (int o = 0; o < nOut; o++) {
                        groups[o] = JavaArrays.newArray(d, nOut == 0 ? 0 : n / nOut);
                    }
                    int[] idx = new int[shape.length];
                    for (int i = 0; i < n; i++) {
                        int rem = i;
                        for (int k = shape.length - 1; k >= 0; k--) {
                            idx[k] = rem % shape[k];
                            rem /= shape[k];
                        }
                        int o = 0;
                        for (int k = 0; k < shape.length; k++) {
                            o = o * outShape[k] + (outShape[k] == 1 ? 0 : idx[k]);
                        }
                        Host.set(groups[o], fill[o]++, Host.get(xh, Host.pos(xl, i)));
                    }
                    Object expected = Host.copy(oh);
                    String name = op.name().toLowerCase();
                    for (int o = 0; o < nOut; o++) {
                        Object e = empty ? JavaRef.fillElement(d, op == ReduceOp.SUM ? 0 : 1) : ReduceEmulationTest.reduce(name, d, groups[o]);
                        Host.set(expected, Host.pos(ol, o), e);
                    }
                    long ulps = (op == ReduceOp.SUM || op == ReduceOp.PROD) && d.isFloatingPoint() ? 1L << 20 : 0;
                    Host.assertElements(call + " x " + xl + " out " + ol, outType, expected, actual, ulps, false);
                    free(dx, dout);
                    cases++;
                }
            }
        }
    }

    @Test
    void indexingRandomAndFastPathsThroughKernelCalls() throws IOException {
        Random r = new Random(53);
        // gather with one bad index: the error record becomes the CPU backend's exception
        Layout sl = Layout.contiguous(3, 4);
        float[] src = new float[12];
        for (int i = 0; i < 12; i++) {
            src[i] = i;
        }
        Layout il = Layout.contiguous(2, 4);
        long[] idx = {0, 1, 2, 0, 2, 2, 7, 1};
        DArr ds = upload(FLOAT32, src), di = upload(INT64, idx), dout = upload(FLOAT32, new float[8]),
                err = upload(INT64, new long[5]);
        launch(KernelCalls.gather(FLOAT32, ds.ptr(), sl, 0, di.ptr(), il, dout.ptr(), Layout.contiguous(2, 4), err.ptr()), 0);
        assertArrayEquals(new float[] {0, 5, 10, 3, 8, 9, 0, 7}, (float[]) download(dout));
        IndexOutOfBoundsException e = KernelCalls.indexError((long[]) download(err));
        assertEquals("gather: index 7 is out of bounds for dim 0 with size 3", e.getMessage());
        assertNull(KernelCalls.indexError(new long[5]));
        // indexSelect along dim 1 with a strided index
        long[] sel = {3, -9, 0, -9, 3};
        DArr dsel = upload(INT64, sel), dout2 = upload(FLOAT32, new float[9]), err2 = upload(INT64, new long[5]);
        launch(KernelCalls.indexSelect(FLOAT32, ds.ptr(), sl, 1, dsel.ptr(), new Layout(new int[] {3}, new int[] {2}, 0),
                dout2.ptr(), Layout.contiguous(3, 3), err2.ptr()), 1);
        assertArrayEquals(new float[] {3, 0, 3, 7, 4, 7, 11, 8, 11}, (float[]) download(dout2));
        assertArrayEquals(new long[5], (long[]) download(err2));
        // scatterAdd along dim 1
        int[] dst = new int[6];
        DArr ddst = upload(INT32, dst), dsrc = upload(INT32, new int[] {1, 2, 3, 4, 5, 6}),
                dix = upload(INT64, new long[] {0, 0, 1, 2, 2, 2}), err3 = upload(INT64, new long[5]);
        launch(KernelCalls.scatterAdd(INT32, ddst.ptr(), Layout.contiguous(2, 3), 1, dix.ptr(), Layout.contiguous(2, 3),
                dsrc.ptr(), Layout.contiguous(2, 3), err3.ptr()), 2);
        assertArrayEquals(new int[] {3, 3, 0, 0, 0, 15}, (int[]) download(ddst));
        free(ds, di, dout, err, dsel, dout2, err2, ddst, dsrc, dix, err3);

        // random: the pointer at the operand's first element
        RandomDistribution dist = RandomDistribution.normal(1, 2);
        int n = 777;
        DArr rb = alloc(FLOAT64, n + 5);
        launch(KernelCalls.random(dist, FLOAT64, 42, 5, rb.ptr().plus(5 * 8), n), 0);
        Host.assertNormal64("random", 1, 2, (double[]) Philox.reference(dist, FLOAT64, 42, 5, n), (double[]) download(rb), 5);
        free(rb);

        // adam (scalars computed by KernelCalls as the CPU backend's Optim does): one step from zero moments
        float[] p = {1f, -2f, 0.5f}, g = {0.1f, -0.3f, 0f};
        DArr dp = upload(FLOAT32, p), dg = upload(FLOAT32, g), dm = upload(FLOAT32, new float[3]), dv = upload(FLOAT32, new float[3]);
        launch(KernelCalls.adam(FLOAT32, dp.ptr(), dg.ptr(), dm.ptr(), dv.ptr(), 3, 0.01, 0.9, 0.999, 1e-8, 0.1, true, 1), 0);
        float[] pa = (float[]) download(dp);
        float decay = (float) (1 - 0.01 * 0.1);
        for (int i = 0; i < 3; i++) {
            float pi = p[i] * decay;
            float mi = 0f * 0.9f + g[i] * (float) (1 - 0.9);
            float vi = 0f * 0.999f + (g[i] * g[i]) * (float) (1 - 0.999);
            float expected = pi + (mi / ((float) Math.sqrt(vi) / (float) Math.sqrt(1 - 0.999) + 1e-8f)) * (float) (-0.01 / (1 - 0.9));
            assertEquals(expected, pa[i], "adam element " + i);
        }
        free(dp, dg, dm, dv);
        cases += 5;
    }
}
