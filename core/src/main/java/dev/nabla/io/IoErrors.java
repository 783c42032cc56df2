package dev.nabla.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Says what an I/O failure was. A {@link FileSystemException}'s message is often only the path (an
 * {@link AccessDeniedException} for {@code /x} says "/x"), so "could not read /x: " + message would repeat the path
 * and leave out "permission denied".
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** The failure in words: "permission denied", "no such file or directory", the system's reason, or the message. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** "{action} {file}: {what went wrong}", e.g. "could not read /data/x: permission denied". */
    public static UncheckedIOException unchecked(String action, Path file, IOException e) {
        return new UncheckedIOException(action + " " + file + ": " + describe(e), e);
    }
}
