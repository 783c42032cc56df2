package dev.nabla.serving;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.passes.PassManager;
import dev.nabla.inference.passes.Pipelines;
import dev.nabla.io.Json;
import dev.nabla.nn.Activation;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/** Small real models for the server's tests, and a repository to put them in. */
public final class TestModels {
    /** Input of every test model: one 8x8 grey image. */
    public static final int[] SAMPLE_SHAPE = {1, 8, 8};
    public static final int SAMPLE_SIZE = 64;
    public static final int CLASSES = 10;
    public static final List<String> LABELS = List.of("zero", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine");

    private TestModels() {
    }

    /** A small CNN on [N, 1, 8, 8] -> [N, 10] whose weights come from {@code seed}, compiled exactly. */
    public static Graph cnn(long seed) {
        Nabla.manualSeed(seed);
        Module net = new Sequential(new Conv2d(1, 4, 3, 1, 1), Activation.relu(), new MaxPool2d(2), new Flatten(),
                new Linear(4 * 4 * 4, 16), Activation.relu(), new Linear(16, CLASSES));
        Graph traced = GraphCapture.trace(net, Tensor.randn(2, 1, 8, 8));
        return new PassManager(Pipelines.exact(), false).run(traced).graph();
    }

    /** The bytes of a model file for {@code graph}, with class names in its metadata. */
    public static byte[] modelBytes(Graph graph) {
        return ModelFile.toBytes(graph, Map.of("nabla.labels", Json.write(LABELS)));
    }

    /**
     * Puts a version into {@code repository} the way a deployment should: written into a hidden directory, then
     * renamed into place, so the server never sees half a file.
     */
    public static Path publish(Path repository, String model, long version, byte[] file) {
        try {
            Path modelDir = Files.createDirectories(repository.resolve(model));
            Path staging = Files.createTempDirectory(modelDir, ".staging-");
            Files.write(staging.resolve("model.nabla"), file);
            Path target = modelDir.resolve(Long.toString(version));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Samples of the test models' input drawn from {@code seed}, row-major. */
    public static float[] images(int samples, long seed) {
        java.util.Random random = new java.util.Random(seed);
        float[] x = new float[samples * SAMPLE_SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        return x;
    }
}
