package dev.nabla.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** File-system errors in words, not just the path that a FileSystemException's message often is. */
class IoErrorsTest {
    @Test
    void namesTheFailureNotOnlyThePath() {
        Path file = Path.of("/data/train-images");
        assertEquals("could not read /data/train-images: permission denied",
                IoErrors.unchecked("could not read", file, new AccessDeniedException(file.toString())).getMessage());
        assertEquals("no such file or directory", IoErrors.describe(new NoSuchFileException(file.toString())));
        assertEquals("Read-only file system",
                IoErrors.describe(new FileSystemException(file.toString(), null, "Read-only file system")));
        assertEquals("disk full", IoErrors.describe(new IOException("disk full")));
        assertEquals("IOException", IoErrors.describe(new IOException()));
    }
}
