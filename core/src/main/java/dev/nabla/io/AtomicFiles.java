package dev.nabla.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a crash leaves either the old file or the complete new one: write a
 * temporary file beside it, flush it to disk, rename it over the target, flush the directory.
 *
 * <p>The temporary file is named {@code .<target>.<pid>.<nonce>.tmp}. A process killed mid-write leaves it
 * behind; the next write of the same target removes such leftovers of processes that are no longer running
 * (a live process may be writing its own, so those are kept).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes what {@code writer} produces to {@code target} atomically. */
    public static void write(Path target, IOConsumer<OutputStream> writer) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            // Not Files.createTempFile: it makes the file owner-only (0600) whatever the umask.
            removeStaleTemporaries(dir, absolute.getFileName().toString());
            temp = dir.resolve(tempPrefix(absolute.getFileName().toString()) + PID + "."
                    + Long.toHexString(System.nanoTime()) + ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                writer.accept(out);
                out.flush();
                channel.force(true);
            }
            keepPermissions(absolute, temp);
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw IoErrors.unchecked("could not write", absolute, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write already failed; the stray temporary file is harmless
                }
            }
        }
    }

    private static final long PID = ProcessHandle.current().pid();

    private static String tempPrefix(String target) {
        return "." + target + ".";
    }

    /**
     * Deletes {@code .<target>.<pid>.<nonce>.tmp} files whose process is gone. Names of another form, and the
     * nonce-only names of earlier versions when younger than a day, are left alone: they may be someone's.
     */
    static void removeStaleTemporaries(Path dir, String target) {
        String prefix = tempPrefix(target);
        DirectoryStream.Filter<Path> ours = p -> {
            String name = p.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(".tmp") && name.length() > prefix.length() + 4;
        };
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ours)) {
            for (Path leftover : leftovers) {
                String name = leftover.getFileName().toString();
                String middle = name.substring(prefix.length(), name.length() - ".tmp".length());
                if (isStale(leftover, middle)) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException ignored) {
            // best effort: a leftover costs disk space, never correctness
        }
    }

    private static boolean isStale(Path leftover, String middle) throws IOException {
        int dot = middle.indexOf('.');
        if (dot > 0 && dot < middle.length() - 1 && middle.chars().filter(c -> c == '.').count() == 1) {
            long pid;
            try {
                pid = Long.parseLong(middle.substring(0, dot));
                Long.parseUnsignedLong(middle.substring(dot + 1), 16);
            } catch (NumberFormatException e) {
                return false;
            }
            return pid != PID && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        }
        if (middle.chars().allMatch(c -> Character.digit(c, 16) >= 0) && !middle.isEmpty()) {
            long age = System.currentTimeMillis() - Files.getLastModifiedTime(leftover).toMillis();
            return age > java.util.concurrent.TimeUnit.DAYS.toMillis(1);
        }
        return false;
    }

    /** Writes a string (UTF-8) atomically. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A replaced file keeps its permissions (where the file system has POSIX permissions). */
    private static void keepPermissions(Path target, Path temp) throws IOException {
        if (Files.exists(target)) {
            try {
                Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename durable on Linux; some platforms cannot open directories, which is fine.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // best effort
        }
    }

    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T value) throws IOException;
    }
}
