package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shape views: values, strides, errors, and storage sharing (writes through views reach the base). */
public abstract class ViewSuite extends BackendTestBase {

    @Test
    void reshapeKeepsRowMajorOrder() {
        Tensor x = iota(2, 3);
        Tensor r = x.reshape(3, 2);
        assertShape(r, 3, 2);
        assertValues(r, 0, 1, 2, 3, 4, 5);
        assertShape(x.reshape(-1), 6);
        assertShape(x.reshape(3, -1), 3, 2);
        assertShape(x.reshape(1, -1, 1), 1, 6, 1);
        assertShape(Tensor.scalar(2).reshape(1, 1), 1, 1);
        assertShape(Tensor.ones(1, 1).reshape(), new int[0]);
        assertShape(Tensor.zeros(0, 4).reshape(-1, 2), 0, 2);
    }

    @Test
    void reshapeOfExpandedTensor() {
        Tensor e = f32(1, 2, 3).expand(2, 3);
        assertValues(e.reshape(-1), 1, 2, 3, 1, 2, 3);
        assertValues(e.reshape(3, 2), 1, 2, 3, 1, 2, 3);
        Tensor col = f32(4, 5).reshape(2, 1).expand(2, 3);
        assertValues(col.reshape(6), 4, 4, 4, 5, 5, 5);
        assertShape(col.unsqueeze(0).reshape(1, 2, 3), 1, 2, 3);
    }

    @Test
    void reshapeOfNonContiguousCopiesInLogicalOrder() {
        Tensor x = iota(2, 3).t(); // [[0,3],[1,4],[2,5]]
        assertFalse(x.isContiguous());
        Tensor r = x.reshape(6);
        assertValues(r, 0, 3, 1, 4, 2, 5);
        assertValues(x.reshape(2, 3), 0, 3, 1, 4, 2, 5);
    }

    @Test
    void viewSharesStorageAndFailsWhenImpossible() {
        Tensor x = iota(2, 3);
        Tensor v = x.view(3, 2);
        assertValues(v, 0, 1, 2, 3, 4, 5);
        v.narrow(0, 1, 1).fillInPlace(-1); // elements 2 and 3 of the base
        assertValues(x, 0, 1, -1, -1, 4, 5);
        assertShape(x.view(-1), 6);

        Tensor t = iota(2, 3).t();
        ShapeException e = assertThrows(ShapeException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("view") && e.getMessage().contains("[3, 2]"), e.getMessage());
        // Merging dimensions that are contiguous with respect to each other is still a view.
        Tensor y = iota(2, 3, 4).permute(2, 0, 1); // [4, 2, 3] with strides [1, 12, 4]
        assertShape(y.view(4, 6), 4, 6);
        assertArrayEquals(new int[]{1, 4}, y.view(4, 6).strides());
        assertValues(y.view(4, 6).select(0, 1), 1, 5, 9, 13, 17, 21);
        assertThrows(ShapeException.class, () -> y.view(8, 3));
    }

    @Test
    void viewOfSlicedTensorKeepsOffset() {
        Tensor x = iota(4, 3);
        Tensor rows = x.narrow(0, 1, 2); // rows 1 and 2, contiguous with an offset
        assertTrue(rows.isContiguous());
        assertValues(rows.view(6), 3, 4, 5, 6, 7, 8);
        assertValues(rows.view(3, 2), 3, 4, 5, 6, 7, 8);
    }

    @Test
    void permuteAndTranspose() {
        Tensor x = iota(2, 3, 4);
        Tensor p = x.permute(2, 0, 1);
        assertShape(p, 4, 2, 3);
        assertArrayEquals(new int[]{1, 12, 4}, p.strides());
        double[] expected = new double[24];
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    expected[(k * 2 + i) * 3 + j] = i * 12 + j * 4 + k;
                }
            }
        }
        assertValues(p, expected);
        assertValues(x.permute(-1, 0, 1), expected);
        assertValues(p.contiguous(), expected);

        Tensor tr = x.transpose(0, 2);
        assertShape(tr, 4, 3, 2);
        assertValues(tr.select(0, 1).select(0, 2), 9, 21);
        assertValues(x.transpose(-1, -3), tr.toDoubleArray());

        Tensor m = iota(2, 3);
        assertShape(m.t(), 3, 2);
        assertValues(m.t(), 0, 3, 1, 4, 2, 5);
        assertValues(m.t().t(), 0, 1, 2, 3, 4, 5);
        Tensor v = f32(1, 2);
        assertSame(v, v.t());
        assertThrows(ShapeException.class, () -> x.t());
    }

    @Test
    void expandBroadcastsWithoutCopying() {
        Tensor col = f32(1, 2, 3).reshape(3, 1);
        Tensor e = col.expand(3, 4);
        assertShape(e, 3, 4);
        assertArrayEquals(new int[]{1, 0}, e.strides());
        assertValues(e, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        assertValues(col.expand(2, -1, 2), 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
        assertShape(Tensor.scalar(5).expand(2, 2), 2, 2);
        assertValues(f32(7, 8).expandAs(Tensor.zeros(2, 2)), 7, 8, 7, 8);
        col.fillInPlace(9); // the expansion shares storage with col
        assertValues(e, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9);
        assertThrows(ShapeException.class, () -> f32(1, 2, 3).expand(2, 4));
    }

    @Test
    void sliceWithStepAndClamping() {
        Tensor x = iota(10);
        assertValues(x.slice(0, 1, 8, 3), 1, 4, 7);
        assertValues(x.slice(0, 0, 10, 2), 0, 2, 4, 6, 8);
        assertValues(x.slice(0, -3, 10), 7, 8, 9);
        assertValues(x.slice(0, 8, 100), 8, 9);
        assertValues(x.slice(0, -100, 2), 0, 1);
        assertShape(x.slice(0, 5, 2), 0);
        assertValues(x.slice(0, 9, 10, 5), 9);

        Tensor m = iota(4, 5);
        Tensor s = m.slice(1, 1, 5, 2); // columns 1 and 3
        assertShape(s, 4, 2);
        assertArrayEquals(new int[]{5, 2}, s.strides());
        assertValues(s, 1, 3, 6, 8, 11, 13, 16, 18);
        Tensor ss = s.slice(0, 1, 4, 2); // rows 1 and 3 of that
        assertValues(ss, 6, 8, 16, 18);
        assertThrows(IllegalArgumentException.class, () -> x.slice(0, 0, 5, 0));
    }

    @Test
    void narrowAndSelect() {
        Tensor m = iota(3, 4);
        assertValues(m.narrow(1, 1, 2), 1, 2, 5, 6, 9, 10);
        assertValues(m.narrow(0, -1, 1), 8, 9, 10, 11);
        assertShape(m.narrow(1, 4, 0), 3, 0);
        Tensor row = m.select(0, 1);
        assertShape(row, 4);
        assertValues(row, 4, 5, 6, 7);
        assertValues(m.select(1, -1), 3, 7, 11);
        assertValues(m.select(1, 2).select(0, 2), 10);
        assertShape(m.select(1, 2).select(0, 2));
        assertThrows(ShapeException.class, () -> m.narrow(1, 3, 2));
        assertThrows(ShapeException.class, () -> m.select(0, 3));
        assertThrows(ShapeException.class, () -> m.select(0, -4));
    }

    @Test
    void squeezeUnsqueezeFlatten() {
        Tensor x = Tensor.zeros(1, 3, 1, 2);
        assertShape(x.squeeze(), 3, 2);
        assertShape(x.squeeze(0), 3, 1, 2);
        assertShape(x.squeeze(2), 1, 3, 2);
        assertShape(x.squeeze(-2), 1, 3, 2);
        assertShape(x.squeeze(1), 1, 3, 1, 2); // not size 1: unchanged
        assertShape(Tensor.zeros(1, 1).squeeze());
        Tensor v = f32(1, 2, 3);
        assertShape(v.unsqueeze(0), 1, 3);
        assertShape(v.unsqueeze(1), 3, 1);
        assertShape(v.unsqueeze(-1), 3, 1);
        assertShape(v.unsqueeze(-2), 1, 3);
        assertValues(v.unsqueeze(1), 1, 2, 3);
        assertShape(Tensor.scalar(1).unsqueeze(0), 1);
        assertThrows(ShapeException.class, () -> v.unsqueeze(2));

        Tensor y = iota(2, 3, 4);
        assertShape(y.flatten(), 24);
        assertShape(y.flatten(1, 2), 2, 12);
        assertShape(y.flatten(0, 1), 6, 4);
        assertShape(y.flatten(-2, -1), 2, 12);
        assertShape(Tensor.scalar(3).flatten(), 1);
        // [4, 3, 2] -> [12, 2]; row 1 is (k=0, j=1): y[i][1][0] for i = 0, 1
        assertValues(y.transpose(0, 2).flatten(0, 1).select(0, 1), 4, 16);
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = iota(2, 3);
        assertSame(x, x.contiguous());
        Tensor t = x.t();
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(new int[]{2, 1}, c.strides());
        assertValues(c, 0, 3, 1, 4, 2, 5);
        c.fillInPlace(0); // a copy: the base is unchanged
        assertValues(x, 0, 1, 2, 3, 4, 5);
    }

    @Test
    void writesThroughViewsReachTheBase() {
        Tensor base = Tensor.zeros(3, 4);
        base.select(1, 2).copyFrom(f32(1, 2, 3)); // a strided column
        base.slice(0, 0, 3, 2).narrow(1, 0, 1).fillInPlace(7); // rows 0 and 2, column 0
        base.t().select(0, 3).copyFrom(Tensor.scalar(-1)); // column 3, broadcast
        base.reshape(12).narrow(0, 5, 1).fillInPlace(5);
        assertValues(base,
                7, 0, 1, -1,
                0, 5, 2, -1,
                7, 0, 3, -1);
        Tensor e = base.unsqueeze(0).permute(1, 0, 2).squeeze(1); // same elements, many views deep
        e.select(0, 1).addInPlace(f32(10, 10, 10, 10));
        assertValues(base.select(0, 1), 10, 15, 12, 9);
    }

    @Test
    void inPlaceOpsOnStridedViews() {
        Tensor base = iota(3, 4);
        Tensor cols = base.slice(1, 0, 4, 2); // columns 0 and 2
        cols.mulInPlace(-1);
        cols.addInPlace(Tensor.ones(2), 0.5); // broadcast [2] over [3, 2]
        assertValues(base,
                0.5, 1, -1.5, 3,
                -3.5, 5, -5.5, 7,
                -7.5, 9, -9.5, 11);
        base.t().narrow(0, 1, 1).subInPlace(Tensor.full(1, 1, 3)); // column 1 minus one
        assertValues(base.select(1, 1), 0, 4, 8);
        base.narrow(0, 2, 1).zeroInPlace();
        assertValues(base.select(0, 2), 0, 0, 0, 0);
    }

    @Test
    void splitAndChunkAreViews() {
        Tensor x = iota(7, 2);
        List<Tensor> parts = x.split(3, 0);
        assertTrue(parts.size() == 3);
        assertShape(parts.get(2), 1, 2);
        parts.get(1).fillInPlace(-1);
        assertValues(x.select(1, 0), 0, 2, 4, -1, -1, -1, 12);
        assertTrue(x.dtype() == DType.FLOAT32);
    }
}
