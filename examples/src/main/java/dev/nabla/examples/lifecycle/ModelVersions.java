package dev.nabla.examples.lifecycle;

import dev.nabla.io.AtomicFiles;
import dev.nabla.io.IoErrors;
import dev.nabla.serving.repository.ModelRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The versions of one model in a serving repository, {@code DIR/<name>/<version>/}: which is newest, and how a new one
 * is published. A version appears whole or not at all: its files are written into a hidden staging directory beside
 * it, flushed, and the directory renamed into place, so a server scanning the repository never sees half of one.
 */
public final class ModelVersions {
    /** The compiled model a server loads. */
    public static final String MODEL = ModelRepository.MODEL_FILE;
    /** The training checkpoint the model was compiled from: what retraining continues from. */
    public static final String CHECKPOINT = "checkpoint.safetensors";
    /** A sample of the data the model was trained on: what drift detection compares the served inputs with. */
    public static final String REFERENCE = "reference.safetensors";

    private ModelVersions() {
    }

    /** The newest version of {@code name} that has a model file, if any. */
    public static OptionalLong newest(Path repository, String name) {
        Path dir = repository.resolve(name);
        if (!Files.isDirectory(dir)) {
            return OptionalLong.empty();
        }
        long newest = -1;
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(dir)) {
            for (Path v : versions) {
                String n = v.getFileName().toString();
                if (ModelRepository.isVersionName(n) && Files.isRegularFile(v.resolve(MODEL))) {
                    newest = Math.max(newest, Long.parseLong(n));
                }
            }
        } catch (IOException e) {
            throw IoErrors.unchecked("could not list the versions in", dir, e);
        }
        return newest < 0 ? OptionalLong.empty() : OptionalLong.of(newest);
    }

    /** The directory of a version. */
    public static Path directory(Path repository, String name, long version) {
        return repository.resolve(name).resolve(Long.toString(version));
    }

    /**
     * Publishes {@code files} (file name in the version directory to the file to copy) as the version after the
     * newest, and returns its number.
     */
    public static long publish(Path repository, String name, Map<String, Path> files) {
        if (!files.containsKey(MODEL)) {
            throw new IllegalArgumentException("a model version needs its " + MODEL);
        }
        Path dir = repository.resolve(name);
        Path staging = dir.resolve(".staging-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            for (var e : files.entrySet()) {
                Path source = e.getValue();
                // flushed to disk, as is the staging directory, before the directory is renamed into place
                AtomicFiles.write(staging.resolve(e.getKey()), out -> Files.copy(source, out));
            }
            while (true) {
                long version = newest(repository, name).orElse(0) + 1;
                try {
                    Files.move(staging, directory(repository, name, version), StandardCopyOption.ATOMIC_MOVE);
                    return version;
                } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                    // another publisher took this number (or left an empty directory of it): take the next
                    if (Files.isDirectory(directory(repository, name, version))
                            && !Files.exists(directory(repository, name, version).resolve(MODEL))) {
                        throw new IOException("version directory " + directory(repository, name, version)
                                + " exists without a model file; remove it or publish by hand");
                    }
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the repository's file system cannot rename directories atomically", e);
                }
            }
        } catch (IOException e) {
            deleteQuietly(staging);
            throw IoErrors.unchecked("could not publish a new version of", dir, e);
        } catch (UncheckedIOException e) {
            deleteQuietly(staging);
            throw e;
        }
    }

    private static void deleteQuietly(Path staging) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(staging);
        } catch (IOException ignored) {
            // a leftover hidden staging directory is skipped by servers
        }
    }
}
