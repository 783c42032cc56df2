package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Generator;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.data.Sample;
import dev.nabla.data.TensorDataset;
import dev.nabla.data.Transform;
import dev.nabla.data.Transforms;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Datasets, the DataLoader (batch counts, every example once per epoch, seeded per-epoch shuffling,
 * prefetching that changes nothing, errors reaching the caller) and the transforms.
 * Files are in {@link DataFileSuite}.
 */
public abstract class DataSuite extends BackendTestBase {

    /** Inputs [n, 2] = (i, -i), targets i (INT64): the target names the example. */
    static TensorDataset numbered(int n) {
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y));
    }

    /** The targets of every batch of {@code epoch}, batch by batch. */
    static List<long[]> targets(DataLoader loader, int epoch) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader.epoch(epoch)) {
            out.add(b.targets().toLongArray());
        }
        return out;
    }

    static long[] flat(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    // ------------------------------------------------------------------ datasets

    @Test
    void tensorDatasetRowsAndBatches() {
        TensorDataset ds = numbered(5);
        assertEquals(5, ds.size());
        Sample s = ds.get(3);
        assertValues(s.input(), 3, -3);
        assertLongs(s.target(), 3);
        Batch b = ds.batch(new int[]{4, 0, 4});
        assertEquals(3, b.size());
        assertValues(b.inputs(), 4, -4, 0, 0, 4, -4);
        assertLongs(b.targets(), 4, 0, 4);
        assertThrows(ShapeException.class, () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertThrows(ShapeException.class, () -> new TensorDataset(Tensor.scalar(1), Tensor.zeros(1)));
    }

    @Test
    void defaultBatchStacksSamples() {
        Dataset ds = new Dataset() {
            public int size() {
                return 4;
            }

            public Sample get(int i) {
                return new Sample(Tensor.full(i, 2, 2), Tensor.of(new long[]{i}).reshape());
            }
        };
        Batch b = ds.batch(new int[]{2, 1});
        assertShape(b.inputs(), 2, 2, 2);
        assertValues(b.inputs(), 2, 2, 2, 2, 1, 1, 1, 1);
        assertLongs(b.targets(), 2, 1);
    }

    @Test
    void headIsAViewOfTheFirstExamples() {
        Dataset head = numbered(10).head(4);
        assertEquals(4, head.size());
        assertLongs(head.get(3).target(), 3);
        assertThrows(IndexOutOfBoundsException.class, () -> head.get(4));
        assertThrows(IndexOutOfBoundsException.class, () -> head.batch(new int[]{1, 7}));
        assertLongs(head.batch(new int[]{2, 0}).targets(), 2, 0);
        assertEquals(10, numbered(10).head(50).size());
    }

    // ------------------------------------------------------------------ loader

    @Test
    void batchCountsWithAndWithoutDropLast() {
        DataLoader keep = DataLoader.builder(numbered(10)).batchSize(3).build();
        DataLoader drop = DataLoader.builder(numbered(10)).batchSize(3).dropLast(true).build();
        assertEquals(4, keep.numBatches());
        assertEquals(3, drop.numBatches());
        assertEquals(List.of(3, 3, 3, 1), targets(keep, 0).stream().map(a -> a.length).toList());
        assertEquals(List.of(3, 3, 3), targets(drop, 0).stream().map(a -> a.length).toList());
        DataLoader exact = DataLoader.builder(numbered(9)).batchSize(3).dropLast(true).build();
        assertEquals(3, exact.numBatches());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(numbered(3)).batchSize(0));
    }

    @Test
    void aBatchLargerThanTheDatasetIsOneBatchEvenAtTheLargestSize() {
        DataLoader huge = DataLoader.builder(numbered(10)).batchSize(Integer.MAX_VALUE).build();
        assertEquals(1, huge.numBatches()); // n + batchSize - 1 overflowed to 0 batches
        assertEquals(List.of(10), targets(huge, 0).stream().map(a -> a.length).toList());
        assertEquals(0, DataLoader.builder(numbered(10)).batchSize(Integer.MAX_VALUE).dropLast(true).build().numBatches());
    }

    @Test
    void withoutShuffleBatchesFollowTheDatasetOrder() {
        DataLoader loader = DataLoader.builder(numbered(7)).batchSize(2).build();
        assertArrayEquals(new long[]{0, 1, 2, 3, 4, 5, 6}, flat(targets(loader, 0)));
        assertArrayEquals(new long[]{0, 1, 2, 3, 4, 5, 6}, flat(targets(loader, 5)));
        Batch first = loader.epoch(0).iterator().next();
        assertValues(first.inputs(), 0, 0, 1, -1);
    }

    @Test
    void everyExampleExactlyOncePerEpoch() {
        DataLoader loader = DataLoader.builder(numbered(23)).batchSize(4).shuffle(true).seed(5).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            long[] seen = flat(targets(loader, epoch));
            long[] sorted = seen.clone();
            Arrays.sort(sorted);
            long[] all = new long[23];
            for (int i = 0; i < 23; i++) {
                all[i] = i;
            }
            assertArrayEquals(all, sorted, "epoch " + epoch);
        }
        DataLoader drop = DataLoader.builder(numbered(23)).batchSize(4).shuffle(true).seed(5).dropLast(true).build();
        long[] seen = flat(targets(drop, 1));
        assertEquals(20, seen.length);
        assertEquals(20, Arrays.stream(seen).distinct().count(), "no example twice");
    }

    @Test
    void inputsStayWithTheirTargets() {
        DataLoader loader = DataLoader.builder(numbered(17)).batchSize(5).shuffle(true).seed(3).build();
        for (Batch b : loader.epoch(2)) {
            long[] y = b.targets().toLongArray();
            double[] x = b.inputs().toDoubleArray();
            for (int i = 0; i < y.length; i++) {
                assertEquals(y[i], x[2 * i]);
                assertEquals(-y[i], x[2 * i + 1]);
            }
        }
    }

    @Test
    void shuffleDiffersAcrossEpochsAndIsAFunctionOfSeedAndEpoch() {
        DataLoader a = DataLoader.builder(numbered(50)).batchSize(8).shuffle(true).seed(42).build();
        long[] e0 = flat(targets(a, 0));
        long[] e1 = flat(targets(a, 1));
        assertFalse(Arrays.equals(e0, e1), "epochs are shuffled differently");
        long[] identity = flat(targets(DataLoader.builder(numbered(50)).batchSize(8).build(), 0));
        assertFalse(Arrays.equals(e0, identity), "epoch 0 is shuffled");
        // a fresh loader with the same seed gives the same order for an epoch, whatever came before
        DataLoader b = DataLoader.builder(numbered(50)).batchSize(8).shuffle(true).seed(42).build();
        assertArrayEquals(e1, flat(targets(b, 1)));
        assertArrayEquals(e0, flat(targets(b, 0)));
        assertArrayEquals(e1, flat(targets(a, 1)), "iterating an epoch again repeats it");
        DataLoader c = DataLoader.builder(numbered(50)).batchSize(8).shuffle(true).seed(43).build();
        assertFalse(Arrays.equals(e1, flat(targets(c, 1))), "another seed, another order");
        assertArrayEquals(e0, Arrays.stream(a.order(0)).asLongStream().toArray());
    }

    /** Adds seeded noise to each batch: a random transform whose draws show in the values. */
    static final Transform NOISE = (batch, g) -> batch.add(Tensor.randn(g, batch.shape()).to(batch.dtype()));

    @Test
    void prefetchingGivesTheSameBatchesAsLoadingOnTheCallersThread() {
        List<double[]> direct = new ArrayList<>();
        List<double[]> prefetched = new ArrayList<>();
        DataLoader d = DataLoader.builder(numbered(30)).batchSize(4).shuffle(true).seed(9).transform(NOISE).prefetch(0).build();
        DataLoader p = DataLoader.builder(numbered(30)).batchSize(4).shuffle(true).seed(9).transform(NOISE).prefetch(3).build();
        for (Batch b : d.epoch(2)) {
            direct.add(b.inputs().toDoubleArray());
        }
        for (Batch b : p.epoch(2)) {
            prefetched.add(b.inputs().toDoubleArray());
        }
        assertEquals(direct.size(), prefetched.size());
        for (int i = 0; i < direct.size(); i++) {
            assertArrayEquals(direct.get(i), prefetched.get(i), "batch " + i);
        }
        assertEquals(targets(d, 4).size(), targets(p, 4).size());
        List<double[]> again = new ArrayList<>();
        for (Batch b : d.epoch(2)) {
            again.add(b.inputs().toDoubleArray());
        }
        assertArrayEquals(direct.get(3), again.get(3), "augmentation is a function of (seed, epoch, batch)");
    }

    /** A dataset whose example {@code bad} cannot be loaded. */
    static Dataset failingAt(int n, int bad) {
        TensorDataset base = numbered(n);
        return new Dataset() {
            public int size() {
                return n;
            }

            public Sample get(int i) {
                if (i == bad) {
                    throw new IllegalStateException("example " + i + " is corrupt");
                }
                return base.get(i);
            }
        };
    }

    private static boolean mentions(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anExceptionWhileLoadingReachesTheCaller() {
        for (int prefetch : new int[]{0, 2}) {
            DataLoader loader = DataLoader.builder(failingAt(12, 7)).batchSize(3).prefetch(prefetch).build();
            RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(RuntimeException.class, () -> {
                for (Batch b : loader.epoch(0)) {
                    b.size();
                }
            }));
            assertTrue(mentions(e, "example 7 is corrupt"), () -> "prefetch " + prefetch + ": " + e);
        }
        DataLoader errors = DataLoader.builder(new Dataset() {
            public int size() {
                return 4;
            }

            public Sample get(int i) {
                throw new AssertionError("broken loader");
            }
        }).batchSize(2).prefetch(2).build();
        AssertionError err = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(AssertionError.class,
                () -> errors.epoch(0).iterator().next()));
        assertTrue(mentions(err, "broken loader"));
    }

    // ------------------------------------------------------------------ transforms

    @Test
    void normalizePerChannel() {
        Tensor x = iota(2, 3, 1, 2); // channel c of image n holds 6n + 2c, 6n + 2c + 1
        double[] mean = {1, 2, 3};
        double[] std = {0.5, 2, 4};
        Tensor y = Transforms.normalize(mean, std).apply(x, new Generator(0));
        double[] expected = new double[12];
        double[] xv = x.toDoubleArray();
        for (int i = 0; i < 12; i++) {
            int c = (i / 2) % 3;
            expected[i] = (xv[i] - mean[c]) / std[c];
        }
        assertValues(y, expected);
        Tensor one = Transforms.normalize(new double[]{0.5}, new double[]{0.25}).apply(x, new Generator(0));
        double[] e1 = new double[12];
        for (int i = 0; i < 12; i++) {
            e1[i] = (xv[i] - 0.5) / 0.25;
        }
        assertValues(one, e1);
        assertThrows(ShapeException.class, () -> Transforms.normalize(new double[]{1, 2}, new double[]{1, 2}).apply(x, new Generator(0)));
    }

    private static double[] mirrored(Tensor x) {
        int[] s = x.shape();
        double[] v = x.toDoubleArray();
        double[] m = new double[v.length];
        int w = s[3];
        for (int row = 0; row < v.length / w; row++) {
            for (int j = 0; j < w; j++) {
                m[row * w + j] = v[row * w + w - 1 - j];
            }
        }
        return m;
    }

    @Test
    void randomHorizontalFlipWithProbabilityZeroOneAndHalf() {
        Tensor x = iota(8, 2, 3, 4);
        assertValues(Transforms.randomHorizontalFlip(0).apply(x, new Generator(1)), x.toDoubleArray());
        assertValues(Transforms.randomHorizontalFlip(1).apply(x, new Generator(1)), mirrored(x));
        Tensor many = iota(64, 1, 2, 3);
        double[] out = Transforms.randomHorizontalFlip(0.5).apply(many, new Generator(2)).toDoubleArray();
        double[] same = many.toDoubleArray();
        double[] flipped = mirrored(many);
        int flips = 0;
        for (int n = 0; n < 64; n++) {
            double[] o = Arrays.copyOfRange(out, n * 6, n * 6 + 6);
            boolean isSame = Arrays.equals(o, Arrays.copyOfRange(same, n * 6, n * 6 + 6));
            boolean isFlipped = Arrays.equals(o, Arrays.copyOfRange(flipped, n * 6, n * 6 + 6));
            assertTrue(isSame || isFlipped, "image " + n + " is either kept or mirrored");
            flips += isFlipped ? 1 : 0;
        }
        assertTrue(flips > 16 && flips < 48, "about half of 64 flipped, found " + flips);
        assertArrayEquals(out, Transforms.randomHorizontalFlip(0.5).apply(many, new Generator(2)).toDoubleArray(),
                "same generator, same flips");
    }

    @Test
    void randomCropKeepsTheShapeAndShiftsTheContent() {
        int n = 32, c = 2, h = 5, w = 6, pad = 2;
        double[] xv = NnReference.random(3, n * c * h * w, 1, 2); // no zeros inside, so the padding shows
        Tensor x = NnReference.f32(xv, n, c, h, w);
        Tensor y = Transforms.randomCrop(pad).apply(x, new Generator(4));
        assertShape(y, n, c, h, w);
        double[] yv = y.toDoubleArray();
        double[] xf = x.toDoubleArray();
        Set<Integer> shifts = new HashSet<>();
        for (int b = 0; b < n; b++) {
            int found = -1;
            for (int dy = -pad; dy <= pad && found < 0; dy++) {
                for (int dx = -pad; dx <= pad && found < 0; dx++) {
                    boolean match = true;
                    for (int ch = 0; ch < c && match; ch++) {
                        for (int i = 0; i < h && match; i++) {
                            for (int j = 0; j < w && match; j++) {
                                int si = i + dy, sj = j + dx;
                                double expected = si < 0 || si >= h || sj < 0 || sj >= w ? 0 : xf[((b * c + ch) * h + si) * w + sj];
                                match = yv[((b * c + ch) * h + i) * w + j] == expected;
                            }
                        }
                    }
                    if (match) {
                        found = (dy + pad) * 5 + (dx + pad);
                    }
                }
            }
            assertTrue(found >= 0, "image " + b + " is a shifted copy with zero fill");
            shifts.add(found);
        }
        assertTrue(shifts.size() >= 8, "crops at many offsets, found " + shifts.size());
        assertArrayEquals(yv, Transforms.randomCrop(pad).apply(x, new Generator(4)).toDoubleArray());
    }

    @Test
    void composeAndAndThenApplyInOrder() {
        Tensor x = iota(2, 1, 2, 2);
        Transform scale = (b, g) -> b.mul(2);
        Transform shift = (b, g) -> b.add(1);
        assertValues(Transforms.compose(scale, shift).apply(x, new Generator(0)), 1, 3, 5, 7, 9, 11, 13, 15);
        assertValues(shift.andThen(scale).apply(x, new Generator(0)), 2, 4, 6, 8, 10, 12, 14, 16);
        Tensor bytes = Tensor.of(new int[]{0, 51, 255});
        Tensor unit = Transforms.toUnitFloat().apply(bytes, new Generator(0));
        assertDType(DType.FLOAT32, unit);
        assertValues(unit, 0, 0.2, 1);
    }

    @Test
    void imageTransformsRejectNonImages() {
        assertThrows(ShapeException.class, () -> Transforms.randomCrop(2).apply(Tensor.zeros(3, 4), new Generator(0)));
        assertThrows(ShapeException.class, () -> Transforms.randomHorizontalFlip(0.5).apply(Tensor.zeros(3, 4, 4),
                new Generator(0)));
    }
}
