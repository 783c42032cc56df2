package dev.nabla.serving.repository;

import dev.nabla.io.IoErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a repository directory holds: {@code DIR/<name>/<version>/model.nabla}. Model names are letters, digits,
 * {@code _ . -} (not starting with a dot: hidden directories are where writers stage new versions); versions are
 * positive whole numbers, as in Triton. Anything else is skipped, as is a version directory without its model file.
 */
final class ModelFiles {
    private static final Logger log = LoggerFactory.getLogger(ModelFiles.class);

    static final String MODEL_FILE = "model.nabla";
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}");
    static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

    private ModelFiles() {
    }

    /** How a file looked: a changed size, time or identity means it changed. */
    record Fingerprint(long size, long modifiedMillis, Object fileKey) {
    }

    /** A version directory holding a model file. */
    record VersionDir(long version, Path file, Fingerprint fingerprint) {
    }

    /**
     * The models under {@code root}, each with its versions newest first; empty when {@code root} cannot be listed
     * (the caller keeps what it serves rather than unloading everything on a transient error).
     */
    static Optional<Map<String, List<VersionDir>>> scan(Path root) {
        Map<String, List<VersionDir>> models = new TreeMap<>();
        try (DirectoryStream<Path> names = Files.newDirectoryStream(root)) {
            for (Path dir : names) {
                String name = dir.getFileName().toString();
                if (NAME.matcher(name).matches() && Files.isDirectory(dir)) {
                    models.put(name, versions(dir));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("cannot list the model repository {}: {}", root, describe(e));
            return Optional.empty();
        }
        return Optional.of(new LinkedHashMap<>(models));
    }

    private static List<VersionDir> versions(Path modelDir) throws IOException {
        List<VersionDir> versions = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(modelDir)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!VERSION.matcher(name).matches()) {
                    continue;
                }
                Path file = dir.resolve(MODEL_FILE);
                fingerprint(file).ifPresent(f -> versions.add(new VersionDir(Long.parseLong(name), file, f)));
            }
        }
        versions.sort(Comparator.comparingLong(VersionDir::version).reversed());
        return versions;
    }

    /** The file's fingerprint, or empty when it is not (or not yet) a regular file. */
    static Optional<Fingerprint> fingerprint(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new Fingerprint(a.size(), a.lastModifiedTime().toMillis(), a.fileKey()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("cannot read {}: {}", file, IoErrors.describe(e));
            return Optional.empty();
        }
    }

    private static String describe(Exception e) {
        if (e instanceof DirectoryIteratorException d) {
            return IoErrors.describe(d.getCause());
        }
        return e instanceof IOException io ? IoErrors.describe(io) : e.toString();
    }
}
