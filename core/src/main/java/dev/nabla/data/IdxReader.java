package dev.nabla.data;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.IoErrors;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format), plain or gzip-compressed (detected from the content):
 * a magic number {@code 0x0000TTDD} (T = element type, D = number of dimensions), the dimensions
 * as big-endian 32-bit integers, then the elements.
 */
public final class IdxReader {
    private IdxReader() {
    }

    /** Reads an unsigned-byte IDX file into an INT32 tensor (values 0..255) of the file's shape. */
    public static Tensor read(Path file) {
        try (InputStream in = open(file)) {
            return read(file, in, Files.size(file));
        } catch (java.util.zip.ZipException | EOFException e) {
            throw new FileFormatException(file, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw IoErrors.unchecked("could not read", file, e);
        }
    }

    /** Reads from a stream (plain or gzip); {@code name} names the source in errors. */
    public static Tensor read(Path name, InputStream raw) throws IOException {
        return read(name, raw, -1);
    }

    /** {@code length}: the stream's size in bytes where known (a file), else -1. */
    private static Tensor read(Path name, InputStream raw, long length) throws IOException {
        try {
            return parse(name, raw, length);
        } catch (java.util.zip.ZipException e) {
            throw new FileFormatException(name, "corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (EOFException e) {
            throw new FileFormatException(name, "truncated gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static Tensor parse(Path name, InputStream raw, long length) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw);
        boolean gzip = isGzip(buffered);
        InputStream content = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
        long plainLength = gzip ? -1 : length;
        DataInputStream in = new DataInputStream(new BufferedInputStream(content, 1 << 16));
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new FileFormatException(name, "file is shorter than the 4-byte IDX magic number");
        }
        if ((magic >>> 16) != 0) {
            throw new FileFormatException(name, String.format("wrong magic number 0x%08X: not an IDX file", magic));
        }
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if (type != 0x08) {
            throw new FileFormatException(name, String.format("element type 0x%02X is not supported (expected 0x08, unsigned byte)", type));
        }
        if (rank < 1 || rank > 8) {
            throw new FileFormatException(name, "has " + rank + " dimensions; expected 1 to 8");
        }
        int[] shape = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            try {
                shape[i] = in.readInt();
            } catch (EOFException e) {
                throw new FileFormatException(name, "truncated in the dimension sizes (" + i + " of " + rank + " read)");
            }
            if (shape[i] < 0) {
                throw new FileFormatException(name, "dimension " + i + " has negative size " + shape[i]);
            }
            count *= shape[i];
        }
        if (count > Integer.MAX_VALUE) {
            throw new FileFormatException(name, "holds " + count + " elements, more than one tensor can");
        }
        long headerBytes = 4L + 4L * rank;
        if (plainLength >= 0 && plainLength - headerBytes != count) {
            // Checked before allocating: a 20-byte file must not make us allocate the gigabytes its header claims.
            throw new FileFormatException(name, (plainLength - headerBytes < count ? "truncated: " : "")
                    + "its header announces shape " + java.util.Arrays.toString(shape) + " (" + count
                    + " bytes of data) but the file has " + (plainLength - headerBytes) + " bytes after the header");
        }
        byte[] data = readAtMost(name, in, (int) count, shape);
        if (in.read() != -1) {
            throw new FileFormatException(name, "has bytes after the " + data.length + " elements its header announces");
        }
        int[] values = new int[data.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = data[i] & 0xFF;
        }
        return Tensor.of(values, shape);
    }

    /**
     * Reads {@code count} bytes, growing the buffer as data arrives (a compressed stream's size is unknown until
     * read), so a header announcing more than the stream holds costs at most twice what is there.
     */
    private static byte[] readAtMost(Path name, InputStream in, int count, int[] shape) throws IOException {
        byte[] data = new byte[Math.min(count, 1 << 20)];
        int filled = 0;
        while (filled < count) {
            if (filled == data.length) {
                data = java.util.Arrays.copyOf(data, (int) Math.min(count, 2L * data.length));
            }
            int n = in.read(data, filled, data.length - filled);
            if (n < 0) {
                throw new FileFormatException(name, "truncated: expected " + count + " data bytes for shape "
                        + java.util.Arrays.toString(shape) + ", found " + filled);
            }
            filled += n;
        }
        return data;
    }

    private static InputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new FileFormatException(file, "no such file");
        }
        return Files.newInputStream(file);
    }

    private static boolean isGzip(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b;
    }

    /** Converts an INT32 image tensor of 0..255 values to FLOAT32 in [0, 1]. */
    public static Tensor toUnitFloat(Tensor bytes) {
        if (bytes.dtype() == DType.FLOAT32) {
            return bytes.div(255.0);
        }
        try (Tensor floats = bytes.to(DType.FLOAT32)) {
            return floats.div(255.0); // the intermediate copy is freed at once: it is as large as the dataset
        }
    }
}
