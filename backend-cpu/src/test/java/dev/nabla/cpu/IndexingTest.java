package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.Kernels;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gather, scatterAdd and indexSelect against per-index reference loops (PyTorch semantics). */
class IndexingTest {
    static final CpuBackend BE = new CpuBackend(Kernels.simdOrNull(), 0);

    @Test
    void gatherMatchesDefinition() {
        Random r = new Random(1);
        int[] srcShape = {4, 5, 6};
        Operand src = TestUtil.contiguous(BE, TestUtil.randomFloats(r, 120, -1, 1), srcShape);
        int[] idxShape = {3, 5, 2};
        for (int dim = 0; dim < 3; dim++) {
            long[] idx = new long[30];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = r.nextInt(srcShape[dim]);
            }
            Operand index = TestUtil.contiguous(BE, idx, idxShape);
            Operand out = TestUtil.empty(BE, DType.FLOAT32, idxShape);
            BE.gather(src, dim, index, out);
            int[] p = new int[3];
            do {
                int[] s = p.clone();
                s[dim] = (int) TestUtil.at(index, p);
                assertEquals(TestUtil.at(src, s), TestUtil.at(out, p), 0.0, "dim " + dim);
            } while (TestUtil.next(p, idxShape));
        }
        // a transposed source and a broadcast index, for a long dtype
        Operand srcT = new Operand(BE.fromArray(new long[] {10, 11, 12, 13, 14, 15}), new Layout(new int[] {3, 2}, new int[] {1, 3}, 0));
        Operand index = new Operand(BE.fromArray(new long[] {1, 0}), new Layout(new int[] {3, 2}, new int[] {0, 1}, 0));
        Operand out = TestUtil.empty(BE, DType.INT64, 3, 2);
        BE.gather(srcT, 1, index, out);
        // srcT = [[10, 13], [11, 14], [12, 15]]; out[i][j] = srcT[i][index[j]]
        assertArrayEquals(new long[] {13, 10, 14, 11, 15, 12}, (long[]) BE.toArray(out));
    }

    @Test
    void gatherRejectsOutOfRangeIndices() {
        Operand src = TestUtil.contiguous(BE, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        for (long bad : new long[] {3, -1}) {
            Operand index = TestUtil.contiguous(BE, new long[] {0, bad}, 2, 1);
            var e = assertThrows(IndexOutOfBoundsException.class,
                    () -> BE.gather(src, 1, index, TestUtil.empty(BE, DType.FLOAT32, 2, 1)));
            assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("index " + bad)
                    && e.getMessage().contains("dim 1") && e.getMessage().contains("size 3"), e.getMessage());
        }
    }

    @Test
    void scatterAddAccumulatesDuplicates() {
        Random r = new Random(2);
        int[] dstShape = {4, 3, 5};
        for (int dim = 0; dim < 3; dim++) {
            // index may be shorter than dst on the other axes and any length along dim
            int[] idxShape = {3, 2, 4};
            idxShape[dim] = 6;
            double[] init = TestUtil.randomDoubles(r, 60);
            Operand dst = TestUtil.contiguous(BE, init, dstShape);
            int numel = idxShape[0] * idxShape[1] * idxShape[2];
            long[] idx = new long[numel];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = r.nextInt(dstShape[dim]);
            }
            Operand index = TestUtil.contiguous(BE, idx, idxShape);
            // src is larger than index along the last axis, as PyTorch allows
            int[] srcStrides = {idxShape[1] * 7, 7, 1};
            Operand src = new Operand(BE.fromArray(TestUtil.randomDoubles(r, idxShape[0] * idxShape[1] * 7)),
                    new Layout(idxShape, srcStrides, 0));
            double[] expected = init.clone();
            int[] p = new int[3];
            int[] st = Layout.contiguousStrides(dstShape);
            do {
                int[] d = p.clone();
                d[dim] = (int) TestUtil.at(index, p);
                expected[d[0] * st[0] + d[1] * st[1] + d[2] * st[2]] += TestUtil.at(src, p);
            } while (TestUtil.next(p, idxShape));
            BE.scatterAdd(dst, dim, index, src);
            assertArrayEquals(expected, (double[]) BE.toArray(dst), 1e-12, "dim " + dim);
        }
        // float and int: embedding-gradient style, many duplicates
        Operand grad = TestUtil.empty(BE, DType.FLOAT32, 3, 2);
        BE.fill(grad, 0);
        Operand idx = TestUtil.contiguous(BE, new long[] {2, 2, 0, 0, 2, 2, 2, 2}, 4, 2);
        Operand ones = new Operand(BE.fromArray(new float[] {1}), new Layout(new int[] {4, 2}, new int[] {0, 0}, 0));
        BE.scatterAdd(grad, 0, idx, ones);
        assertArrayEquals(new float[] {1, 1, 0, 0, 3, 3}, (float[]) BE.toArray(grad));
        Operand counts = TestUtil.contiguous(BE, new int[] {0, 0, 0}, 3);
        BE.scatterAdd(counts, 0, TestUtil.contiguous(BE, new long[] {1, 1, 2}, 3), TestUtil.contiguous(BE, new int[] {5, 6, 7}, 3));
        assertArrayEquals(new int[] {0, 11, 7}, (int[]) BE.toArray(counts));
    }

    @Test
    void scatterAddChecksIndicesBeforeWriting() {
        Operand dst = TestUtil.contiguous(BE, new float[] {0, 0, 0}, 3);
        Operand index = TestUtil.contiguous(BE, new long[] {0, 1, 7}, 3);
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> BE.scatterAdd(dst, 0, index, TestUtil.contiguous(BE, new float[] {1, 1, 1}, 3)));
        assertTrue(e.getMessage().contains("scatterAdd") && e.getMessage().contains("7") && e.getMessage().contains("size 3"), e.getMessage());
        assertArrayEquals(new float[3], (float[]) BE.toArray(dst), "nothing written");
    }

    @Test
    void scatterAddIsDeterministicAcrossThreads() {
        int saved = CpuBackend.threads();
        try {
            Random r = new Random(3);
            int rows = 50_000;
            long[] idx = new long[rows * 16];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = r.nextInt(100);
            }
            float[] src = TestUtil.randomFloats(r, idx.length, -1, 1);
            float[][] res = new float[2][];
            for (int t = 1; t <= 2; t++) {
                CpuBackend.setThreads(t);
                Operand dst = TestUtil.empty(BE, DType.FLOAT32, 100, 16);
                BE.fill(dst, 0);
                BE.scatterAdd(dst, 0, TestUtil.contiguous(BE, idx, rows, 16), TestUtil.contiguous(BE, src, rows, 16));
                res[t - 1] = (float[]) BE.toArray(dst);
            }
            assertArrayEquals(res[0], res[1]);
        } finally {
            CpuBackend.setThreads(saved);
        }
    }

    @Test
    void indexSelectMatchesDefinition() {
        Random r = new Random(4);
        int[] shape = {5, 4, 3};
        Operand src = new Operand(BE.fromArray(TestUtil.randomInts(r, 60, 100)), TestUtil.permuted(new int[] {3, 5, 4}, 1, 2, 0));
        long[] picks = {4, 0, 0, 2, 3, 1, 4};
        for (int dim = 0; dim < 3; dim++) {
            int n = 0;
            long[] idx = new long[picks.length];
            for (long p : picks) {
                if (p < shape[dim]) {
                    idx[n++] = p;
                }
            }
            Operand index = new Operand(BE.fromArray(idx), Layout.contiguous(n));
            int[] os = shape.clone();
            os[dim] = n;
            Operand out = TestUtil.empty(BE, DType.INT32, os);
            BE.indexSelect(src, dim, index, out);
            int[] p = new int[3];
            do {
                int[] s = p.clone();
                s[dim] = (int) idx[p[dim]];
                assertEquals(TestUtil.at(src, s), TestUtil.at(out, p), 0.0, "dim " + dim);
            } while (TestUtil.next(p, os));
        }
        // embedding lookup: [vocab, dim] rows by a strided index
        float[] table = TestUtil.randomFloats(r, 7 * 3, -1, 1);
        Operand index = new Operand(BE.fromArray(new long[] {6, 9, 2, 9, 6}), new Layout(new int[] {3}, new int[] {2}, 0));
        Operand out = TestUtil.empty(BE, DType.FLOAT32, 3, 3);
        BE.indexSelect(TestUtil.contiguous(BE, table, 7, 3), 0, index, out);
        float[] got = (float[]) BE.toArray(out);
        for (int j = 0; j < 3; j++) {
            assertEquals(table[6 * 3 + j], got[j]);
            assertEquals(table[2 * 3 + j], got[3 + j]);
            assertEquals(table[6 * 3 + j], got[6 + j]);
        }
        var e = assertThrows(IndexOutOfBoundsException.class, () -> BE.indexSelect(TestUtil.contiguous(BE, table, 7, 3), 0,
                TestUtil.contiguous(BE, new long[] {1, 7}, 2), TestUtil.empty(BE, DType.FLOAT32, 2, 3)));
        assertTrue(e.getMessage().contains("indexSelect") && e.getMessage().contains("index 7")
                && e.getMessage().contains("dim 0") && e.getMessage().contains("size 7"), e.getMessage());
    }
}
