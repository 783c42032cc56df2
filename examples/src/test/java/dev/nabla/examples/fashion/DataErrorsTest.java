package dev.nabla.examples.fashion;

import dev.nabla.examples.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged data given to the CLI, as a user would: each is one line naming the file and what is wrong, and a
 * non-zero exit, before any training. And the largest batch size trains one batch instead of none.
 */
class DataErrorsTest {
    @TempDir
    Path temp;

    private static byte[] idx(int magic, int[] shape, int fill) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + n);
        b.putInt(magic);
        for (int s : shape) {
            b.putInt(s);
        }
        for (int i = 0; i < n; i++) {
            b.put((byte) (fill >= 0 ? fill : i % 10));
        }
        return b.array();
    }

    private static byte[] images(int n, int h, int w) {
        return idx(0x00000803, new int[]{n, h, w}, -1);
    }

    private static byte[] labels(int n, int fill) {
        return idx(0x00000801, new int[]{n}, fill);
    }

    /** A data directory with both splits; the training files as given, the test files good. */
    private Path dataDir(String name, byte[] trainImages, byte[] trainLabels) throws IOException {
        Path d = temp.resolve(name);
        Files.createDirectories(d);
        Files.write(d.resolve("train-images-idx3-ubyte"), trainImages);
        Files.write(d.resolve("train-labels-idx1-ubyte"), trainLabels);
        Files.write(d.resolve("t10k-images-idx3-ubyte"), images(4, 28, 28));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), labels(4, -1));
        return d;
    }

    private CliRun train(Path data, String... more) {
        String[] base = {"fashion-mlp", "--data-dir", data.toString(), "--epochs", "1", "--threads", "2",
                "--output-dir", temp.resolve("out").toString(), "--progress", "lines"};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return nabla(args);
    }

    private static void assertRefused(CliRun run, String... words) {
        assertEquals(1, run.exitCode(), run.all());
        assertEquals(1, run.err().lines().count(), "one line:\n" + run.err());
        assertFalse(run.err().contains("\tat "), run.err());
        for (String w : words) {
            assertTrue(run.err().contains(w), () -> "'" + w + "' in: " + run.err());
        }
        assertFalse(run.out().contains("Training "), "refused before training:\n" + run.out());
    }

    @Test
    void damagedDataIsOneLineNamingTheFile() throws IOException {
        assertRefused(train(dataDir("labels", images(8, 28, 28), labels(8, 12))), "train-labels-idx1-ubyte",
                "is 12", "0 to 9");
        assertRefused(train(dataDir("size", images(8, 32, 32), labels(8, -1))), "train-images-idx3-ubyte", "28x28",
                "32x32");
        assertRefused(train(dataDir("swapped", labels(8, -1), images(8, 28, 28))), "swapped");
        assertRefused(train(dataDir("rank4", idx(0x00000804, new int[]{8, 1, 28, 28}, -1), labels(8, -1))),
                "train-images-idx3-ubyte", "[8, 1, 28, 28]");
        assertRefused(train(dataDir("empty", images(0, 28, 28), labels(0, -1))), "train-labels-idx1-ubyte",
                "no examples");
        // a 20-byte file whose header announces 2 GiB: refused from its length, not by running out of memory
        byte[] hugeHeader = ByteBuffer.allocate(20).putInt(0x00000803).putInt(1).putInt(46340).putInt(46340).array();
        assertRefused(train(dataDir("huge", hugeHeader, labels(1, 0))),
                "train-images-idx3-ubyte", "truncated");
    }

    @Test
    void anOutputDirThatIsAFileIsRefusedBeforeTraining() throws IOException {
        Path file = Files.writeString(temp.resolve("taken"), "x");
        CliRun run = nabla("fashion-mlp", "--sample", "--epochs", "1", "--output-dir", file.toString());
        assertEquals(2, run.exitCode(), run.all());
        assertTrue(run.err().contains("is a file, expected a directory"), run.err());
        assertFalse(run.out().contains("Training "), run.out());
    }

    @Test
    void theLargestBatchSizeTrainsOneBatch() throws IOException {
        CliRun run = train(dataDir("good", images(8, 28, 28), labels(8, -1)), "--batch-size", "2147483647");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("Done: test accuracy"), run.out());
        assertFalse(run.all().contains("NaN"), "trained on a batch, not on none:\n" + run.all());
    }
}
