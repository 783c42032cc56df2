package dev.nabla.io;

import dev.nabla.NablaException;

import java.nio.file.Path;

/** A file that is truncated, corrupt or not what was expected; the message names the file and the problem. */
public class FileFormatException extends NablaException {
    public FileFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public FileFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
