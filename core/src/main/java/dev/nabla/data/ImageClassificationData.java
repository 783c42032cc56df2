package dev.nabla.data;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.IoErrors;
import dev.nabla.ops.Shapes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
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
    private final int height;
    private final int width;
    private final int classes;

    /** A dataset of {@code height x width} grey images in {@code classes} classes. */
    ImageClassificationData(String name, String environmentVariable, Path systemDirectory, String sampleResource,
                            int height, int width, int classes) {
        this.name = name;
        this.environmentVariable = environmentVariable;
        this.systemDirectory = systemDirectory;
        this.sampleResource = sampleResource;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /**
     * Loads {@code split}.
     *
     * @param explicitDirectory a directory given by the user, or null; if given it must hold the files
     */
    public Loaded load(Split split, Path explicitDirectory) {
        List<String> tried = new ArrayList<>();
        if (explicitDirectory != null) {
            if (!Files.isDirectory(explicitDirectory)) {
                throw new FileFormatException(explicitDirectory, Files.exists(explicitDirectory)
                        ? "is not a directory; expected the directory holding the " + name + " IDX files"
                        : "no such directory");
            }
            if (!Files.isReadable(explicitDirectory) || !Files.isExecutable(explicitDirectory)) {
                throw new FileFormatException(explicitDirectory, "cannot read the directory: permission denied");
            }
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
        Path imagesFile = resolve(dir, split.images);
        Path labelsFile = resolve(dir, split.labels);
        TensorDataset data = assemble(imagesFile, IdxReader.read(imagesFile), labelsFile, IdxReader.read(labelsFile));
        LOG.info("{} {}: {} examples from {}", name, split.name().toLowerCase(java.util.Locale.ROOT), data.size(), source);
        return new Loaded(data, source, false);
    }

    private Loaded fromResources(Split split, ClassLoader loader) {
        Path imagesFile = resourcePath(split.images);
        Path labelsFile = resourcePath(split.labels);
        TensorDataset data = assemble(imagesFile, readResource(loader, imagesFile), labelsFile,
                readResource(loader, labelsFile));
        String source = "embedded sample (classpath:" + sampleResource + ")";
        LOG.info("{} {}: {} examples from the {}", name, split.name().toLowerCase(java.util.Locale.ROOT), data.size(), source);
        return new Loaded(data, source, true);
    }

    private Path resourcePath(String base) {
        return Path.of("classpath:" + sampleResource + "/" + base + ".gz");
    }

    private static Tensor readResource(ClassLoader loader, Path file) {
        String resource = file.toString().substring("classpath:".length());
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new FileFormatException(file, "embedded sample file missing from the class path");
            }
            return IdxReader.read(file, in);
        } catch (IOException e) {
            throw IoErrors.unchecked("could not read", file, e);
        }
    }

    /**
     * The images as FLOAT32 [N, 1, H, W] in [0, 1] with INT64 labels, after checking that the files are what this
     * dataset needs: images [N, H, W] of the dataset's size, labels [N] naming its classes, at least one example.
     * Takes ownership of both tensors: what the dataset does not keep is freed at once (the raw images are as large
     * as the dataset).
     */
    private TensorDataset assemble(Path imagesFile, Tensor images, Path labelsFile, Tensor labels) {
        Tensor targets = null;
        try {
            check(imagesFile, images, labelsFile, labels);
            targets = labels.to(DType.INT64);
            Tensor unit = IdxReader.toUnitFloat(images);
            Tensor x = unit.unsqueeze(1); // the view keeps the memory when unit is closed
            unit.close();
            return new TensorDataset(x, targets);
        } finally {
            images.close();
            if (targets != labels) {
                labels.close();
            }
        }
    }

    private void check(Path imagesFile, Tensor images, Path labelsFile, Tensor labels) {
        if (images.rank() == 1 && labels.rank() == 3) {
            throw new FileFormatException(imagesFile, "holds " + images.size(0) + " labels and " + labelsFile
                    + " holds images: the two files are swapped");
        }
        if (images.rank() != 3) {
            throw new FileFormatException(imagesFile, "expected " + name + " images [N, " + height + ", " + width
                    + "], found shape " + Shapes.str(images.shape()));
        }
        if (images.size(1) != height || images.size(2) != width) {
            throw new FileFormatException(imagesFile, "expected " + height + "x" + width + " images, found "
                    + images.size(1) + "x" + images.size(2));
        }
        if (labels.rank() != 1) {
            throw new FileFormatException(labelsFile, "expected labels [N], found shape " + Shapes.str(labels.shape()));
        }
        if (images.size(0) != labels.size(0)) {
            throw new FileFormatException(labelsFile, "holds " + labels.size(0) + " labels but " + imagesFile
                    + " holds " + images.size(0) + " images");
        }
        if (labels.size(0) == 0) {
            throw new FileFormatException(labelsFile, "holds no examples");
        }
        int[] values = labels.toIntArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] >= classes) { // IDX bytes are never negative
                throw new FileFormatException(labelsFile, "label " + i + " is " + values[i] + "; " + name
                        + " has classes 0 to " + (classes - 1));
            }
        }
    }
}
