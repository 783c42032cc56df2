package dev.nabla.serving.drift;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.SafeTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What a model's inputs and predicted classes looked like in training, for drift detection to compare the served
 * stream with: a random sample of training inputs (1,000 to 2,000 images is plenty for per-feature tests against
 * windows of a few hundred) and the class counts of the training data.
 *
 * <p>The class counts are the training labels' by default. Counts of the model's own predictions on the training
 * data ({@link #withPredictions}) make the better reference for the test on predicted classes: a model that confuses
 * two classes predicts them in other proportions than the labels have, and the test would otherwise see that bias
 * as drift.
 *
 * <p>Stored as a safetensors file, {@value #FILE_NAME}, next to the model in a repository
 * ({@code DIR/<name>/<version>/reference.safetensors}): tensors {@code inputs} (F32, [n, sample shape...]) and
 * {@code class_counts} (I64, [classes]); metadata {@code format} = {@value #FORMAT}, {@code format_version},
 * {@code class_source} ({@code labels} or {@code predictions}) and the caller's own keys.
 */
public final class ReferenceSample {
    public static final String FILE_NAME = "reference.safetensors";
    public static final String FORMAT = "nabla-drift-reference";
    public static final int VERSION = 1;
    /** Samples in a reference, at most (a reference is read whole, and tested against every window). */
    public static final int MAX_SIZE = 100_000;

    static final String INPUTS = "inputs";
    static final String CLASS_COUNTS = "class_counts";
    private static final String KEY_FORMAT = "format";
    private static final String KEY_VERSION = "format_version";
    private static final String KEY_CLASS_SOURCE = "class_source";

    /** Where the class counts come from. */
    public enum ClassSource {
        LABELS,
        PREDICTIONS;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final int[] sampleShape;
    private final int size;
    private final int features;
    private final float[] inputs;
    private final long[] classCounts;
    private final ClassSource classSource;
    private final Map<String, String> metadata;

    private ReferenceSample(int[] sampleShape, float[] inputs, long[] classCounts, ClassSource classSource,
                            Map<String, String> metadata) {
        this.sampleShape = sampleShape.clone();
        this.features = Math.toIntExact(Arrays.stream(sampleShape).asLongStream().reduce(1, Math::multiplyExact));
        if (features == 0 || inputs.length == 0 || inputs.length % features != 0) {
            throw new IllegalArgumentException("reference: expected inputs of n samples of shape "
                    + Arrays.toString(sampleShape) + " (n >= 1), found " + inputs.length + " values");
        }
        this.size = inputs.length / features;
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("reference: at most " + MAX_SIZE + " samples, found " + size);
        }
        this.inputs = inputs;
        this.classCounts = classCounts.clone();
        checkCounts(this.classCounts);
        this.classSource = classSource;
        this.metadata = Map.copyOf(metadata);
    }

    /**
     * A reference of {@code inputs}: {@code n} samples of {@code sampleShape}, row-major, and the class counts.
     *
     * @param metadata what the reference was made from, e.g. {@code dataset} and {@code seed}; stored in the file
     */
    public static ReferenceSample of(int[] sampleShape, float[] inputs, long[] classCounts, ClassSource classSource,
                                     Map<String, String> metadata) {
        return new ReferenceSample(sampleShape, inputs.clone(), classCounts, classSource, metadata);
    }

    /**
     * {@code size} samples of {@code data} drawn without replacement by a generator seeded with {@code seed} (all of
     * it when it holds fewer), and the label counts of the whole dataset, whose targets must be class indices
     * 0 to {@code classes - 1}.
     */
    public static ReferenceSample fromDataset(Dataset data, int classes, int size, long seed) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("reference: size must be 1 to " + MAX_SIZE + ", found " + size);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("reference: a classifier has at least 2 classes, found " + classes);
        }
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("reference: the dataset is empty");
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        int taken = Math.min(size, n);
        for (int i = 0; i < taken; i++) { // a partial Fisher-Yates shuffle: the first `taken` are the sample
            int j = i + random.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] chosen = Arrays.copyOf(order, taken);
        Arrays.sort(chosen); // read in order; which samples, not their order, is what matters
        float[] inputs;
        int[] sampleShape;
        try (var scope = TensorScope.open()) {
            Batch batch = data.batch(chosen);
            int[] shape = batch.inputs().shape();
            sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
            inputs = batch.inputs().toFloatArray();
        }
        long[] counts = labelCounts(data, classes);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("seed", Long.toString(seed));
        metadata.put("dataset_size", Integer.toString(n));
        return new ReferenceSample(sampleShape, inputs, counts, ClassSource.LABELS, metadata);
    }

    private static long[] labelCounts(Dataset data, int classes) {
        long[] counts = new long[classes];
        int step = 1024;
        for (int from = 0; from < data.size(); from += step) {
            int[] idx = new int[Math.min(step, data.size() - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (var scope = TensorScope.open()) {
                Tensor targets = data.batch(idx).targets();
                if (targets.rank() != 1) {
                    throw new IllegalArgumentException("reference: expected class-index targets [N], found shape "
                            + Arrays.toString(targets.shape()));
                }
                for (long label : targets.to(DType.INT64).toLongArray()) {
                    if (label < 0 || label >= classes) {
                        throw new IllegalArgumentException("reference: a label is " + label + "; expected classes 0 to "
                                + (classes - 1));
                    }
                    counts[(int) label]++;
                }
            }
        }
        return counts;
    }

    /** This reference with other class counts. */
    public ReferenceSample withClassCounts(long[] counts, ClassSource source) {
        return new ReferenceSample(sampleShape, inputs, counts, source, metadata);
    }

    /** This reference with more metadata (replacing keys it has). */
    public ReferenceSample withMetadata(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(metadata);
        merged.putAll(more);
        return new ReferenceSample(sampleShape, inputs, classCounts, classSource, merged);
    }

    /**
     * This reference with the class counts of {@code model}'s predictions (argmax) on {@code data}, usually the
     * training data the reference came from; {@code data}'s inputs must have the model's input shape.
     */
    public ReferenceSample withPredictions(Predictor model, Dataset data) {
        long[] counts = new long[classCounts.length];
        int step = 256;
        for (int from = 0; from < data.size(); from += step) {
            int[] idx = new int[Math.min(step, data.size() - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (var scope = TensorScope.open()) {
                Tensor out = model.predict(data.batch(idx).inputs());
                if (out.rank() != 2 || out.size(1) != counts.length) {
                    throw new IllegalArgumentException("reference: expected model outputs [N, " + counts.length
                            + "] (one score per class), found " + Arrays.toString(out.shape()));
                }
                for (long c : out.argmax(1, false).toLongArray()) {
                    counts[(int) c]++;
                }
            }
        }
        return new ReferenceSample(sampleShape, inputs, counts, ClassSource.PREDICTIONS, metadata);
    }

    // ------------------------------------------------------------------ the file

    /** Writes the reference atomically (a crash leaves the old file or the new one). */
    public void write(Path file) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(KEY_FORMAT, FORMAT);
        meta.put(KEY_VERSION, Integer.toString(VERSION));
        meta.put(KEY_CLASS_SOURCE, classSource.key());
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = size;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        try (var scope = TensorScope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put(INPUTS, Tensor.of(inputs, shape));
            tensors.put(CLASS_COUNTS, Tensor.of(classCounts, classCounts.length));
            SafeTensors.write(file, tensors, meta);
        }
    }

    /**
     * Reads and checks a reference file.
     *
     * @throws FileFormatException if it is not a reference file of a version this code reads, or its tensors are
     *                             not what a reference holds; the message names the file
     */
    public static ReferenceSample read(Path file) {
        SafeTensors.Content content = SafeTensors.read(file);
        Map<String, String> meta = new LinkedHashMap<>(content.metadata());
        String format = meta.remove(KEY_FORMAT);
        if (!FORMAT.equals(format)) {
            throw new FileFormatException(file, "expected a drift reference (format '" + FORMAT + "'), found "
                    + (format == null ? "no format" : "format '" + format + "'"));
        }
        String version = meta.remove(KEY_VERSION);
        if (!Integer.toString(VERSION).equals(version)) {
            throw new FileFormatException(file, "drift reference format version " + version
                    + "; this version of Nabla reads version " + VERSION);
        }
        String source = meta.remove(KEY_CLASS_SOURCE);
        ClassSource classSource = Arrays.stream(ClassSource.values()).filter(s -> s.key().equals(source)).findFirst()
                .orElseThrow(() -> new FileFormatException(file, "expected class_source 'labels' or 'predictions', "
                        + "found " + (source == null ? "none" : "'" + source + "'")));
        Tensor inputs = content.tensors().get(INPUTS);
        Tensor counts = content.tensors().get(CLASS_COUNTS);
        if (inputs == null || inputs.dtype() != DType.FLOAT32 || inputs.rank() < 2 || inputs.size(0) < 1) {
            throw new FileFormatException(file, "expected tensor '" + INPUTS + "' F32 [n >= 1, sample shape...], found "
                    + describe(inputs));
        }
        if (counts == null || counts.dtype() != DType.INT64 || counts.rank() != 1) {
            throw new FileFormatException(file, "expected tensor '" + CLASS_COUNTS + "' I64 [classes], found "
                    + describe(counts));
        }
        if (content.tensors().size() != 2) {
            throw new FileFormatException(file, "expected the tensors '" + INPUTS + "' and '" + CLASS_COUNTS
                    + "' only, found " + content.tensors().keySet());
        }
        int[] shape = inputs.shape();
        try {
            return new ReferenceSample(Arrays.copyOfRange(shape, 1, shape.length), inputs.toFloatArray(),
                    counts.toLongArray(), classSource, meta);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new FileFormatException(file, e.getMessage());
        }
    }

    /** The reference in a model repository's version directory, if it has one. */
    public static Optional<ReferenceSample> forVersion(Path versionDirectory) {
        Path file = versionDirectory.resolve(FILE_NAME);
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }

    private static String describe(Tensor t) {
        return t == null ? "none" : t.dtype() + " " + Arrays.toString(t.shape());
    }

    private static void checkCounts(long[] counts) {
        if (counts.length < 2) {
            throw new IllegalArgumentException("reference: expected class counts of at least 2 classes, found "
                    + counts.length);
        }
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("reference: class counts must not be negative, found "
                        + Arrays.toString(counts));
            }
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException("reference: the class counts are all zero");
        }
    }

    // ------------------------------------------------------------------ reading

    /** Samples in the reference. */
    public int size() {
        return size;
    }

    /** Values per sample (e.g. 784 for [1, 28, 28]). */
    public int features() {
        return features;
    }

    /** The shape of one sample, without the batch dimension. */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    public int classes() {
        return classCounts.length;
    }

    public long[] classCounts() {
        return classCounts.clone();
    }

    public ClassSource classSource() {
        return classSource;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Feature {@code f} of every sample, as the two-sample tests take it. */
    double[] feature(int f) {
        double[] column = new double[size];
        for (int i = 0; i < size; i++) {
            column[i] = inputs[i * features + f];
        }
        return column;
    }

    /** Sample {@code i}'s values (a copy). */
    public float[] sample(int i) {
        return Arrays.copyOfRange(inputs, i * features, (i + 1) * features);
    }
}
