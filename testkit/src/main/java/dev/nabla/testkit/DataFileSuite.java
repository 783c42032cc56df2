package dev.nabla.testkit;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.data.CsvReader;
import dev.nabla.data.FashionMnist;
import dev.nabla.data.ImageClassificationData;
import dev.nabla.data.IdxReader;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IDX (plain and gzip) and CSV files written to a temporary directory: values, shapes and dtypes,
 * and a {@link FileFormatException} naming the file (and the line) for every kind of damage.
 */
public abstract class DataFileSuite extends BackendTestBase {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes (big-endian header) for {@code shape}, optionally with a changed magic. */
    static byte[] idx(int magic, int[] shape, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + data.length); // big-endian by default
        b.putInt(magic);
        for (int s : shape) {
            b.putInt(s);
        }
        b.put(data);
        return b.array();
    }

    static byte[] pixels(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 37 % 256); // includes values above 127: unsigned
        }
        return data;
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static void assertRefused(Path file, Runnable read, String... words) {
        FileFormatException e = assertThrows(FileFormatException.class, read::run, () -> "reading " + file.getFileName());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), () -> "the message names the file: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(w), () -> "'" + w + "' in: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ IDX

    private static double[] expectedPixels(int n) {
        double[] v = new double[n];
        byte[] p = pixels(n);
        for (int i = 0; i < n; i++) {
            v[i] = p[i] & 0xFF;
        }
        return v;
    }

    @Test
    void readsPlainIdxFiles() throws IOException {
        Path images = write("images-idx3-ubyte", idx(0x00000803, new int[]{2, 3, 4}, pixels(24)));
        Tensor t = IdxReader.read(images);
        assertShape(t, 2, 3, 4);
        assertDType(DType.INT32, t);
        assertValues(t, expectedPixels(24));
        Path labels = write("labels-idx1-ubyte", idx(0x00000801, new int[]{5}, new byte[]{9, 0, 3, (byte) 255, 1}));
        assertValues(IdxReader.read(labels), 9, 0, 3, 255, 1);
        Tensor unit = IdxReader.toUnitFloat(t);
        assertDType(DType.FLOAT32, unit);
        assertEquals(expectedPixels(24)[7] / 255.0, unit.toDoubleArray()[7], 1e-7);
    }

    @Test
    void readsGzippedIdxFilesDetectedFromTheContent() throws IOException {
        byte[] raw = idx(0x00000803, new int[]{3, 5, 2}, pixels(30));
        Path gz = write("images-idx3-ubyte.gz", gzip(raw));
        assertValues(IdxReader.read(gz), expectedPixels(30));
        Path noSuffix = write("gzipped-without-suffix", gzip(raw));
        assertShape(IdxReader.read(noSuffix), 3, 5, 2);
        Path empty = write("empty-idx1", idx(0x00000801, new int[]{0}, new byte[0]));
        assertShape(IdxReader.read(empty), 0);
    }

    @Test
    void refusesWrongMagicAndUnsupportedHeaders() throws IOException {
        Path magic = write("wrong-magic.idx", idx(0x12340803, new int[]{2}, new byte[2]));
        assertRefused(magic, () -> IdxReader.read(magic), "magic");
        Path type = write("float-type.idx", idx(0x00000D01, new int[]{2}, new byte[8]));
        assertRefused(type, () -> IdxReader.read(type));
        Path rank = write("rank-zero.idx", idx(0x00000800, new int[0], new byte[1]));
        assertRefused(rank, () -> IdxReader.read(rank));
        Path empty = write("empty.idx", new byte[0]);
        assertRefused(empty, () -> IdxReader.read(empty));
        Path tiny = write("two-bytes.idx", new byte[]{0, 0});
        assertRefused(tiny, () -> IdxReader.read(tiny));
        Path missing = dir.resolve("does-not-exist.idx");
        assertRefused(missing, () -> IdxReader.read(missing));
    }

    @Test
    void refusesTruncatedHeadersAndData() throws IOException {
        byte[] full = idx(0x00000803, new int[]{2, 3, 4}, pixels(24));
        Path header = write("truncated-header.idx", Arrays.copyOf(full, 4 + 4 + 2)); // 1.5 of 3 dimensions
        assertRefused(header, () -> IdxReader.read(header), "truncated");
        Path data = write("truncated-data.idx", Arrays.copyOf(full, full.length - 1));
        assertRefused(data, () -> IdxReader.read(data), "truncated");
        Path noData = write("no-data.idx", Arrays.copyOf(full, 16));
        assertRefused(noData, () -> IdxReader.read(noData), "truncated");
        Path trailing = write("trailing.idx", Arrays.copyOf(full, full.length + 1));
        assertRefused(trailing, () -> IdxReader.read(trailing));
    }

    @Test
    void aHeaderAnnouncingMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
        // 20 bytes announcing 1 x 46340 x 46340 (2 GiB): refused from the file's length, plain or compressed. Under
        // the tests' 2 GiB heap, allocating what the header announces fails with OutOfMemoryError instead.
        byte[] header = idx(0x00000803, new int[]{1, 46340, 46340}, new byte[4]);
        Path plain = write("huge-header.idx", header);
        assertRefused(plain, () -> IdxReader.read(plain), "truncated", "46340");
        Path zipped = write("huge-header.idx.gz", gzip(header));
        assertRefused(zipped, () -> IdxReader.read(zipped), "truncated");
    }

    /** Writes the four Fashion-MNIST files of the training split (images and labels as given) into {@code sub}. */
    private Path fashionDir(String sub, byte[] images, byte[] labels) throws IOException {
        Path d = dir.resolve(sub);
        Files.createDirectories(d);
        Files.write(d.resolve("train-images-idx3-ubyte"), images);
        Files.write(d.resolve("train-labels-idx1-ubyte"), labels);
        return d;
    }

    private static byte[] images(int n, int h, int w) {
        return idx(0x00000803, new int[]{n, h, w}, pixels(n * h * w));
    }

    private static byte[] labels(byte... values) {
        return idx(0x00000801, new int[]{values.length}, values);
    }

    private static void assertDataRefused(Path dataDir, String file, String... words) {
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> FashionMnist.load(ImageClassificationData.Split.TRAIN, dataDir), () -> "loading " + dataDir);
        assertTrue(e.getMessage().contains(file), () -> "names " + file + ": " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), () -> "'" + w + "' in: " + e.getMessage());
        }
    }

    @Test
    void datasetFilesAreCheckedWhenLoaded() throws IOException {
        Path good = fashionDir("good", images(3, 28, 28), labels((byte) 0, (byte) 9, (byte) 4));
        TensorDataset loaded = FashionMnist.load(ImageClassificationData.Split.TRAIN, good).dataset();
        assertEquals(3, loaded.size());

        assertDataRefused(fashionDir("label10", images(3, 28, 28), labels((byte) 0, (byte) 10, (byte) 4)),
                "train-labels-idx1-ubyte", "label 1 is 10", "0 to 9");
        assertDataRefused(fashionDir("label255", images(1, 28, 28), labels((byte) 255)), "train-labels", "255");
        assertDataRefused(fashionDir("small", images(3, 27, 28), labels((byte) 0, (byte) 1, (byte) 2)),
                "train-images-idx3-ubyte", "28x28", "27x28");
        assertDataRefused(fashionDir("swapped", labels((byte) 0, (byte) 1, (byte) 2), images(3, 28, 28)),
                "train-images-idx3-ubyte", "swapped");
        assertDataRefused(fashionDir("rank4", idx(0x00000804, new int[]{3, 1, 28, 28}, pixels(3 * 784)),
                labels((byte) 0, (byte) 1, (byte) 2)), "train-images-idx3-ubyte", "[3, 1, 28, 28]");
        assertDataRefused(fashionDir("count", images(3, 28, 28), labels((byte) 0, (byte) 1)), "train-labels",
                "2 labels", "3 images");
        assertDataRefused(fashionDir("empty", images(0, 28, 28), labels()), "train-labels", "no examples");
        assertDataRefused(dir.resolve("no-such-dir"), "no-such-dir", "no such directory");
        Path notDir = write("not-a-dir", new byte[1]);
        assertDataRefused(notDir, "not-a-dir", "not a directory");
    }

    @Test
    void refusesTruncatedAndTrailingGzipContent() throws IOException {
        byte[] full = idx(0x00000803, new int[]{4, 8, 8}, pixels(256));
        // compressed, then cut: the stream ends inside the data
        byte[] zipped = gzip(full);
        Path cutStream = write("cut-stream.idx.gz", Arrays.copyOf(zipped, zipped.length / 2));
        assertRefused(cutStream, () -> IdxReader.read(cutStream));
        // a complete gzip stream of a file that is itself truncated or too long
        Path shortContent = write("short-content.idx.gz", gzip(Arrays.copyOf(full, full.length - 10)));
        assertRefused(shortContent, () -> IdxReader.read(shortContent), "truncated");
        Path longContent = write("long-content.idx.gz", gzip(Arrays.copyOf(full, full.length + 3)));
        assertRefused(longContent, () -> IdxReader.read(longContent));
    }

    @Test
    void refusesCorruptGzipContent() throws IOException {
        byte[] zipped = gzip(idx(0x00000803, new int[]{4, 8, 8}, pixels(256)));
        byte[] flipped = zipped.clone();
        for (int i = 20; i < 40; i++) {
            flipped[i] ^= (byte) 0x5A; // damage inside the deflate data
        }
        Path corrupt = write("corrupt.idx.gz", flipped);
        assertRefused(corrupt, () -> IdxReader.read(corrupt));
        byte[] badTrailer = zipped.clone();
        badTrailer[badTrailer.length - 6] ^= 1; // the CRC-32 of the content
        Path crc = write("bad-crc.idx.gz", badTrailer);
        assertRefused(crc, () -> IdxReader.read(crc));
    }

    // ------------------------------------------------------------------ CSV

    private Path csv(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsClassTargetsFromTheLastColumn() throws IOException {
        Path f = csv("iris.csv", "a,b,label\n1,2,0\n3.5, -4 ,2\n\n-0.25,1e2,1\n");
        TensorDataset ds = CsvReader.read(f, true, -1, true);
        assertEquals(3, ds.size());
        assertDType(DType.FLOAT32, ds.inputs());
        assertShape(ds.inputs(), 3, 2);
        assertValues(ds.inputs(), 1, 2, 3.5, -4, -0.25, 100);
        assertDType(DType.INT64, ds.targets());
        assertLongs(ds.targets(), 0, 2, 1);
    }

    @Test
    void readsRegressionTargetsFromAnyColumn() throws IOException {
        Path f = csv("houses.csv", "1.5,10,20\r\n-2.25,30,40\r\n");
        TensorDataset ds = CsvReader.read(f, false, 0, false);
        assertDType(DType.FLOAT32, ds.targets());
        assertValues(ds.targets(), 1.5, -2.25);
        assertValues(ds.inputs(), 10, 20, 30, 40);
        TensorDataset middle = CsvReader.read(f, false, 1, false);
        assertValues(middle.targets(), 10, 30);
        assertValues(middle.inputs(), 1.5, 20, -2.25, 40);
    }

    @Test
    void wrongColumnCountNamesTheLine() throws IOException {
        Path f = csv("ragged.csv", "x,y,t\n1,2,0\n3,4\n");
        assertRefused(f, () -> CsvReader.read(f, true, -1, true), "line 3");
        Path g = csv("long-row.csv", "1,2,0\n1,2,0\n\n1,2,0,5\n");
        assertRefused(g, () -> CsvReader.read(g, false, -1, true), "line 4");
    }

    @Test
    void nonNumericFieldsNameTheLineAndValue() throws IOException {
        Path f = csv("words.csv", "x,y,t\n1,abc,0\n");
        assertRefused(f, () -> CsvReader.read(f, true, -1, true), "line 2", "abc");
        Path g = csv("empty-field.csv", "1,,0\n");
        assertRefused(g, () -> CsvReader.read(g, false, -1, true), "line 1");
        Path h = csv("fractional-label.csv", "1,2,0.5\n");
        assertRefused(h, () -> CsvReader.read(h, false, -1, true), "line 1");
        Path k = csv("negative-label.csv", "1,2,-1\n");
        assertRefused(k, () -> CsvReader.read(k, false, -1, true), "line 1");
    }

    @Test
    void refusesFilesWithoutData() throws IOException {
        Path f = csv("header-only.csv", "x,y,t\n");
        assertRefused(f, () -> CsvReader.read(f, true, -1, true));
        Path g = csv("one-column.csv", "1\n2\n");
        assertRefused(g, () -> CsvReader.read(g, false, 0, false));
    }
}
