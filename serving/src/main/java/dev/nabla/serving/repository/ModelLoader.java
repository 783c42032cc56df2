package dev.nabla.serving.repository;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.format.LoadedModel;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.serving.batching.BatchingOptions;
import dev.nabla.serving.batching.DynamicBatcher;
import dev.nabla.serving.batching.PlanSizes;
import dev.nabla.serving.protocol.TensorSpec;

/**
 * Turns a version's model file into a {@link ServedModel}: reads and checks the file, checks that the server can
 * serve the model, and runs it once at every batch size the batcher uses, so that its plans are compiled before the
 * version takes its first request (a swap then never slows a request down by compiling).
 */
final class ModelLoader {
    private final BatchingOptions batching;
    private final RepositoryListener listener;

    ModelLoader(BatchingOptions batching, RepositoryListener listener) {
        this.batching = batching;
        this.listener = listener;
    }

    /** @throws ModelLoadException naming the file and the reason, with nothing left loaded */
    ServedModel load(String name, ModelFiles.VersionDir dir) {
        Predictor predictor = null;
        try {
            LoadedModel loaded = ModelFile.read(dir.file());
            Graph graph = loaded.graph();
            predictor = Predictor.of(graph);
            ModelSignature signature = ModelSignature.of(graph.inputs().getFirst().name(), predictor.inputType(),
                    graph.outputs().getFirst().name(), predictor.outputType(), loaded.metadata());
            warmUp(predictor, signature.input());
            Predictor runs = predictor;
            TensorSpec in = signature.input();
            DynamicBatcher batcher = new DynamicBatcher(name + "/" + dir.version(), in.sampleSize(),
                    signature.output().sampleSize(), batching, (inputs, batch) -> run(runs, in, inputs, batch),
                    listener.batchObserver(name, dir.version()));
            return new ServedModel(name, dir.version(), dir.file(), dir.fingerprint(), signature, loaded.metadata(),
                    predictor, batcher, () -> listener.unloaded(name, dir.version()));
        } catch (ModelLoadException e) {
            close(predictor);
            throw new ModelLoadException(dir.file() + ": " + e.getMessage(), e);
        } catch (RuntimeException | OutOfMemoryError e) {
            // A damaged file (FileFormatException), an unreadable one (UncheckedIOException), a graph the predictor
            // refuses (GraphException), or one too large for the heap: the version is refused, the server goes on.
            close(predictor);
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ModelLoadException(message.contains(dir.file().toString()) ? message
                    : dir.file() + ": " + message, e);
        }
    }

    private void warmUp(Predictor predictor, TensorSpec input) {
        for (int batch : PlanSizes.upTo(batching.maxBatchSize()).sizes()) {
            run(predictor, input, new float[batch * input.sampleSize()], batch);
        }
    }

    private static float[] run(Predictor predictor, TensorSpec input, float[] inputs, int batch) {
        try (var scope = TensorScope.open()) {
            return predictor.predict(Tensor.of(inputs, input.shapeFor(batch))).toFloatArray();
        }
    }

    private static void close(Predictor predictor) {
        if (predictor != null) {
            predictor.close();
        }
    }
}
