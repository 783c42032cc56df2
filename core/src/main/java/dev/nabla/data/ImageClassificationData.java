package dev.nabla.data;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Locates an MNIST-style dataset (four IDX files) and loads one split as a {@link TensorDataset}
 * of FLOAT32 images [N, 1, 28, 28] in [0, 1] and INT64 labels. Where to look, in order: an explicit
 * directory, an environment variable, the directory a Debian package installs, then a small sample
 * embedded on the class path. The choice is logged; a sample is reported with a warning.
 */
public final class ImageClassificationData {
    private static final Logger LOG = LoggerFactory.getLogger(ImageClassificationData.class);

    /** Which files make up a split. */
    public enum Split {
        TRAIN("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        TEST("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

        final String images;
        final String labels;

        Split(String images, String labels) {
            this.images = images;
            this.labels = labels;
        }
    }

    /** A loaded split and where it came from. */
    public record Loaded(TensorDataset dataset, String source, boolean isSample) {
    }

    private final String name;
    private final String environmentVariable;
    private final Path systemDirectory;
    private final String sampleResource;

    ImageClassificationData(String name, String environmentVariable, Path systemDirectory, String sampleResource) {
        this.name = name;
        this.environmentVariable = environmentVariable;
        this.systemDirectory = systemDirectory;
        this.sampleResource = sampleResource;
    }

    /**
     * Loads {@code split}.
     *
     * @param explicitDirectory a directory given by the user, or null; if given it must hold the files
     */
    public Loaded load(Split split, Path explicitDirectory) {
        List<String> tried = new ArrayList<>();
        if (explicitDirectory != null) {
            if (!hasFiles(explicitDirectory, split)) {
                throw new FileFormatException(explicitDirectory, name + " files " + split.images + "[.gz] and "
                        + split.labels + "[.gz] not found in the given directory");
            }
            return fromDirectory(split, explicitDirectory, "directory " + explicitDirectory);
        }
        String env = System.getenv(environmentVariable);
        if (env != null && !env.isBlank()) {
            Path dir = Path.of(env);
            if (hasFiles(dir, split)) {
                return fromDirectory(split, dir, "$" + environmentVariable + " (" + dir + ")");
            }
            tried.add("$" + environmentVariable + "=" + dir);
        }
        if (hasFiles(systemDirectory, split)) {
            return fromDirectory(split, systemDirectory, systemDirectory.toString());
        }
        tried.add(systemDirectory.toString());
        ClassLoader loader = classLoader();
        if (loader.getResource(sampleResource + "/" + split.images + ".gz") != null) {
            LOG.warn("{}: no full dataset found (looked in {}); using the small embedded sample, so accuracy will be "
                    + "lower than on the full data. Install it with 'apt-get install dataset-fashion-mnist' or point "
                    + "${} at a directory of IDX files.", name, tried, environmentVariable);
            return fromResources(split, loader);
        }
        throw new FileFormatException(systemDirectory, name + " not found: looked in " + tried
                + " and for the embedded sample '" + sampleResource + "' on the class path");
    }

    /** The embedded sample, even when a full copy is installed (for tests and quick runs). */
    public Loaded loadSample(Split split) {
        ClassLoader loader = classLoader();
        if (loader.getResource(sampleResource + "/" + split.images + ".gz") == null) {
            throw new FileFormatException(Path.of("classpath:" + sampleResource), name
                    + " embedded sample not found on the class path (it ships in nabla-examples)");
        }
        return fromResources(split, loader);
    }

    /** The context class loader, where applications put resources, else this library's own. */
    private static ClassLoader classLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : ImageClassificationData.class.getClassLoader();
    }

    private static boolean hasFiles(Path dir, Split split) {
        return resolve(dir, split.images) != null && resolve(dir, split.labels) != null;
    }

    private static Path resolve(Path dir, String base) {
        for (String candidate : new String[]{base + ".gz", base}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private Loaded fromDirectory(Split split, Path dir, String source) {
        Tensor images = IdxReader.read(resolve(dir, split.images));
        Tensor labels = IdxReader.read(resolve(dir, split.labels));
        LOG.info("{} {}: {} examples from {}", name, split.name().toLowerCase(java.util.Locale.ROOT), labels.size(0), source);
        return new Loaded(assemble(dir, images, labels), source, false);
    }

    private Loaded fromResources(Split split, ClassLoader loader) {
        Tensor images = readResource(loader, split.images);
        Tensor labels = readResource(loader, split.labels);
        String source = "embedded sample (classpath:" + sampleResource + ")";
        LOG.info("{} {}: {} examples from the {}", name, split.name().toLowerCase(java.util.Locale.ROOT), labels.size(0), source);
        return new Loaded(assemble(Path.of(sampleResource), images, labels), source, true);
    }

    private Tensor readResource(ClassLoader loader, String base) {
        String resource = sampleResource + "/" + base + ".gz";
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new FileFormatException(Path.of(resource), "embedded sample file missing from the class path");
            }
            return IdxReader.read(Path.of("classpath:" + resource), in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read classpath:" + resource, e);
        }
    }

    private static TensorDataset assemble(Path where, Tensor images, Tensor labels) {
        if (images.rank() != 3 || labels.rank() != 1) {
            throw new ShapeException(where + ": expected images [N, H, W] and labels [N], found "
                    + java.util.Arrays.toString(images.shape()) + " and " + java.util.Arrays.toString(labels.shape()));
        }
        if (images.size(0) != labels.size(0)) {
            throw new FileFormatException(where, images.size(0) + " images but " + labels.size(0) + " labels");
        }
        Tensor x = IdxReader.toUnitFloat(images).unsqueeze(1);
        return new TensorDataset(x, labels.to(DType.INT64));
    }
}
