package dev.nabla.examples.inference;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.data.IdxReader;
import dev.nabla.examples.UsageException;
import dev.nabla.inference.format.LoadedModel;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.io.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code nabla predict}: runs a compact model file on images from an IDX file and prints the predicted classes. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict the classes of images with a compact model file (from nabla optimize). Input: an IDX "
                + "file of 28x28 images (gzipped or raw), such as Fashion-MNIST's t10k-images-idx3-ubyte.gz."})
public final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A .nabla model file.")
    Path model;

    @Option(names = "--input", paramLabel = "FILE", required = true, description = "IDX images [N, 28, 28].")
    Path input;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "Print the first N predictions (0 = all) (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 0 (all) or positive, found "
                    + limit);
        }
        if (!Files.isRegularFile(input)) {
            throw new UsageException("--input " + input + ": no such file");
        }
        LoadedModel loaded = ModelFile.read(model);
        Predictor predictor = Predictor.of(loaded.graph());
        if (predictor.inputType().rank() != 4 || predictor.inputType().dim(1) != 1
                || predictor.outputType().rank() != 2) {
            throw new UsageException(model + ": predict feeds grey images [N, 1, H, W] to a classifier with outputs "
                    + "[N, classes]; this model takes " + predictor.inputType() + " and gives "
                    + predictor.outputType());
        }
        List<String> labels = labels(loaded);
        PrintWriter out = spec.commandLine().getOut();
        try (var scope = TensorScope.open()) {
            Tensor images = IdxReader.read(input);
            int[] expected = predictor.inputType().concrete(1);
            if (images.rank() != 3 || images.size(1) != expected[2] || images.size(2) != expected[3]) {
                throw new UsageException(input + ": expected images [N, " + expected[2] + ", " + expected[3]
                        + "], found " + Arrays.toString(images.shape()));
            }
            Tensor x = IdxReader.toUnitFloat(images).unsqueeze(1);
            Tensor probabilities = predictor.predict(x).softmax(1);
            long[] classes = probabilities.argmax(1, false).toLongArray();
            float[] p = probabilities.toFloatArray();
            int shown = limit == 0 ? classes.length : Math.min(limit, classes.length);
            int[] counts = new int[probabilities.size(1)];
            for (long c : classes) {
                counts[(int) c]++;
            }
            for (int i = 0; i < shown; i++) {
                int c = (int) classes[i];
                out.printf(Locale.ROOT, "%6d  %-12s  %.3f%n", i, name(labels, c), p[i * counts.length + c]);
            }
            if (shown < classes.length) {
                out.println("... " + (classes.length - shown) + " more (use --limit 0 to print all)");
            }
            out.printf(Locale.ROOT, "%,d images:", classes.length);
            for (int c = 0; c < counts.length; c++) {
                out.printf(Locale.ROOT, " %s %d%s", name(labels, c), counts[c], c + 1 < counts.length ? "," : "");
            }
            out.println();
        }
        out.flush();
        return 0;
    }

    /** The class names the file records, or none when it has none that are a list of strings. */
    private static List<String> labels(LoadedModel loaded) {
        String json = loaded.metadata().get("nabla.labels");
        if (json == null) {
            return List.of();
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (RuntimeException e) {
            return List.of();
        }
        List<String> labels = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String name)) {
                    return List.of();
                }
                labels.add(name);
            }
        }
        return labels;
    }

    private static String name(List<String> labels, int c) {
        return c < labels.size() ? labels.get(c) : "class " + c;
    }
}
