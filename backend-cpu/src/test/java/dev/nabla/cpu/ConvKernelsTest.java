package dev.nabla.cpu;

import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.cpu.kernels.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The packing, copy and in-place-A GEMM kernels of the convolutions, against direct definitions. */
class ConvKernelsTest {
    static final FloatKernels SIMD = Kernels.simdOrNull();
    static final FloatKernels SCALAR = Kernels.scalar();
    static final FloatKernels[] BOTH = {SIMD, SCALAR};

    @Test
    void gatherPicksByIndex() {
        Random r = new Random(1);
        float[] src = TestUtil.randomFloats(r, 500, -1, 1);
        int[] idx = new int[300];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(400);
        }
        for (FloatKernels k : BOTH) {
            for (int n : new int[] {0, 1, 15, 16, 17, 33, 250}) {
                float[] dst = new float[n + 2];
                k.gather(src, 7, idx, 3, dst, 1, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(src[7 + idx[3 + i]], dst[1 + i], k.description() + " n=" + n + " i=" + i);
                }
                assertEquals(0f, dst[0]);
                assertEquals(0f, dst[n + 1]);
            }
        }
    }

    @Test
    void packSliverAndCopy2d() {
        Random r = new Random(2);
        float[] src = TestUtil.randomFloats(r, 2000, -1, 1);
        int[] rowOff = new int[40];
        for (int i = 0; i < rowOff.length; i++) {
            rowOff[i] = r.nextInt(1500);
        }
        for (FloatKernels k : BOTH) {
            int nr = k.gemmNr();
            for (int width : new int[] {nr, nr - 1, 1, nr / 2 + 3}) {
                float[] dst = new float[30 * nr + 5];
                java.util.Arrays.fill(dst, Float.NaN);
                k.packSliver(src, 11, rowOff, 5, 30, width, dst, 5);
                for (int kk = 0; kk < 30; kk++) {
                    for (int j = 0; j < nr; j++) {
                        float expected = j < width ? src[11 + rowOff[5 + kk] + j] : 0f;
                        assertEquals(expected, dst[5 + kk * nr + j], k.description() + " width " + width);
                    }
                }
            }
            for (int width : new int[] {1, 14, 16, 17, 28, 40}) {
                float[] dst = new float[900];
                k.copy2d(src, 3, 45, dst, 2, 41, 12, width);
                for (int row = 0; row < 12; row++) {
                    for (int j = 0; j < 41; j++) {
                        float expected = j < width ? src[3 + row * 45 + j] : 0f;
                        assertEquals(expected, dst[2 + row * 41 + j], k.description() + " width " + width);
                    }
                }
            }
        }
    }

    @Test
    void add2dAccumulatesRows() {
        Random r = new Random(5);
        float[] src = TestUtil.randomFloats(r, 2000, -1, 1);
        for (FloatKernels k : BOTH) {
            for (int dStride : new int[] {3, 14, 16, 40}) {
                for (int width : new int[] {1, 3, 14, 17}) {
                    if (width > dStride && dStride < 16) {
                        continue; // rows would overlap
                    }
                    float[] dst = TestUtil.randomFloats(new Random(6), 1200, -1, 1);
                    float[] expected = dst.clone();
                    for (int row = 0; row < 13; row++) {
                        for (int j = 0; j < width; j++) {
                            expected[4 + row * dStride + j] += src[9 + row * 31 + j];
                        }
                    }
                    k.add2d(src, 9, 31, dst, 4, dStride, 13, width);
                    assertArrayEquals(expected, dst, k.description() + " stride " + dStride + " width " + width);
                }
            }
        }
    }

    @Test
    void sumTapsAddsEachTapOverItsRangeInOrder() {
        Random r = new Random(8);
        float[] src = TestUtil.randomFloats(r, 3000, -1, 1);
        for (int width : new int[] {1, 7, 14, 16, 17, 28, 40}) {
            int taps = 9;
            int[] off = new int[taps], lo = new int[taps], hi = new int[taps];
            for (int t = 0; t < taps; t++) {
                off[t] = 40 + r.nextInt(2000);
                lo[t] = r.nextInt(width);
                hi[t] = t == 4 ? lo[t] : lo[t] + 1 + r.nextInt(width - lo[t]); // tap 4 covers nothing
            }
            // the row is the last of the array: dEnd = its end, so no whole-vector store may pass it
            int dOff = 5;
            float[] expected = new float[dOff + width];
            Arrays.fill(expected, 0, dOff, 7f);
            for (int t = 0; t < taps; t++) {
                for (int x = lo[t]; x < hi[t]; x++) {
                    expected[dOff + x] += src[off[t] + 3 + x];
                }
            }
            for (FloatKernels k : BOTH) {
                float[] dst = new float[dOff + width];
                Arrays.fill(dst, Float.NaN); // every element of the row is written, from 0
                Arrays.fill(dst, 0, dOff, 7f);
                k.sumTaps(src, 3, off, lo, hi, 0, taps, dst, dOff, width, dst.length);
                assertArrayEquals(expected, dst, k.description() + " width " + width);
            }
        }
    }

    /** Reference for dotTile4x3: the twelve dot products in double. */
    static double[] dotTile(float[] g, int[] gOff, int gImg, int gRow, float[] s, int[] sOff, int sImg, int sRow,
                            int images, int rows, int width) {
        double[] d = new double[12];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                for (int img = 0; img < images; img++) {
                    for (int r = 0; r < rows; r++) {
                        for (int x = 0; x < width; x++) {
                            d[i * 3 + j] += (double) g[gOff[i] + img * gImg + r * gRow + x]
                                    * s[sOff[j] + img * sImg + r * sRow + x];
                        }
                    }
                }
            }
        }
        return d;
    }

    @Test
    void dotTile4x3AddsTwelveDotProductsOverRowsAndImages() {
        Random r = new Random(12);
        for (int width : new int[] {1, 5, 15, 16, 17, 28, 33, 48}) {
            for (int images : new int[] {1, 3}) {
                int rows = 4, gRow = width + 3, sRow = width + 2, gImg = 5 * gRow + 1, sImg = 4 * sRow + 7;
                float[] g = TestUtil.randomFloats(r, 4 * 100 + images * gImg + 64, -1, 1);
                float[] s = TestUtil.randomFloats(r, 3 * 10 + images * sImg + 64, -1, 1);
                int[] gOff = {0, 100, 200, 300};
                int[] sOff = {2, 12, 13}; // overlapping windows, as neighbouring taps are
                double[] expected = dotTile(g, gOff, gImg, gRow, s, sOff, sImg, sRow, images, rows, width);
                for (FloatKernels k : BOTH) {
                    float[] acc = new float[14];
                    Arrays.fill(acc, 0.5f);
                    k.dotTile4x3(g, gOff, gImg, gRow, s, sOff, sImg, sRow, images, rows, width, acc, 1);
                    String who = k.description() + " width " + width + " images " + images;
                    assertEquals(0.5f, acc[0], who + ": before the tile");
                    assertEquals(0.5f, acc[13], who + ": after the tile");
                    for (int t = 0; t < 12; t++) {
                        assertEquals(0.5 + expected[t], acc[1 + t], 1e-4, who + " sum " + t);
                    }
                }
            }
        }
    }

    /**
     * Rows that end at their array's end (no whole vector fits after a narrow row's start) are summed lane by
     * lane: bit for bit the vector kernel's sums of the same values lying in a longer array.
     */
    @Test
    void dotTile4x3SumsDoNotDependOnWhereTheRowsLie() {
        if (SIMD == null) {
            return;
        }
        Random r = new Random(13);
        for (int width : new int[] {1, 5, 14, 17, 28}) {
            int rows = 3, images = 2, row = width, img = rows * width; // dense planes: the last row ends the array
            float[] g = TestUtil.randomFloats(r, 4 * images * img, -1, 1);
            float[] s = TestUtil.randomFloats(r, 3 * images * img, -1, 1);
            int[] gOff = {0, images * img, 2 * images * img, 3 * images * img};
            int[] sOff = {0, images * img, 2 * images * img};
            float[] atEnd = new float[12];
            SIMD.dotTile4x3(g, gOff, img, row, s, sOff, img, row, images, rows, width, atEnd, 0);
            float[] roomy = new float[12];
            SIMD.dotTile4x3(Arrays.copyOf(g, g.length + 64), gOff, img, row, Arrays.copyOf(s, s.length + 64), sOff,
                    img, row, images, rows, width, roomy, 0);
            assertArrayEquals(roomy, atEnd, "width " + width);
        }
    }

    @Test
    void sumTapsMayOnlyOverwriteUpToTheGivenEnd() {
        float[] src = new float[64];
        Arrays.fill(src, 1f);
        int[] off = {0}, lo = {0}, hi = {3};
        for (FloatKernels k : BOTH) {
            float[] dst = new float[40];
            Arrays.fill(dst, 9f);
            k.sumTaps(src, 0, off, lo, hi, 0, 1, dst, 2, 3, 8);
            for (int i = 8; i < dst.length; i++) {
                assertEquals(9f, dst[i], k.description() + " element " + i + " lies past the end it was given");
            }
            assertArrayEquals(new float[] {9f, 9f, 1f, 1f, 1f}, Arrays.copyOf(dst, 5), k.description());
        }
    }

    @Test
    void gemmMicroGatherAMatchesPackedA() {
        Random r = new Random(3);
        float[] img = TestUtil.randomFloats(r, 3000, -1, 1);
        for (FloatKernels k : BOTH) {
            int mr = k.gemmMr(), nr = k.gemmNr();
            int kc = 37;
            int[] rowOff = new int[mr];
            int[] colOff = new int[kc + 4];
            for (int i = 0; i < mr; i++) {
                rowOff[i] = r.nextInt(1000);
            }
            for (int i = 0; i < colOff.length; i++) {
                colOff[i] = r.nextInt(1000);
            }
            float[] a = new float[mr * kc];
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < mr; i++) {
                    a[p * mr + i] = img[5 + rowOff[i] + colOff[2 + p]];
                }
            }
            float[] b = TestUtil.randomFloats(r, kc * nr, -1, 1);
            for (boolean acc : new boolean[] {false, true}) {
                float[] c1 = TestUtil.randomFloats(new Random(4), mr * nr * 2, -1, 1);
                float[] c2 = c1.clone();
                k.gemmMicro(kc, a, 0, b, 0, c1, 0, 2 * nr, acc);
                k.gemmMicroGatherA(kc, img, 5, rowOff, 0, colOff, 2, b, 0, c2, 0, 2 * nr, acc);
                assertArrayEquals(c1, c2, k.description());
            }
        }
    }
}
