package dev.nabla.inference.runtime;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.ops.Shapes;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a compiled model: a graph with one input and one output, at any batch size, from any number of threads.
 *
 * <p>For each batch size it meets, the predictor compiles an {@link ExecutionPlan}: memory for every intermediate
 * result placed from the values' lifetimes, views made once, every op writing into its place. Plans are kept per
 * batch size (the {@value #BATCH_SIZES} most recently used sizes) and each concurrent call takes a plan of its own
 * from that size's pool, so steady-state prediction allocates no tensor memory except the result it returns.
 * Plans that fall out of those limits free their memory at once; {@link #close} frees all of it.
 */
public final class Predictor implements AutoCloseable {
    /** Batch sizes whose plans are kept. */
    static final int BATCH_SIZES = 8;
    /** Idle plans kept per batch size (one per concurrently predicting thread, up to this many). */
    static final int PLANS_PER_SIZE = 16;

    private final Graph graph;
    private final TensorType inputType;
    private final TensorType outputType;
    private final Map<Integer, Deque<ExecutionPlan>> plans = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Deque<ExecutionPlan>> eldest) {
            if (size() <= BATCH_SIZES) {
                return false;
            }
            eldest.getValue().forEach(ExecutionPlan::close);
            return true;
        }
    };
    /** Guarded by {@link #plans}. */
    private boolean closed;

    private Predictor(Graph graph) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new GraphException("a predictor runs graphs with one input and one output, found "
                    + graph.inputs().size() + " and " + graph.outputs().size());
        }
        this.graph = StoredComputations.precompute(graph);
        this.inputType = graph.inputs().get(0).type();
        this.outputType = graph.outputs().get(0).type();
        if (inputType.rank() == 0 || inputType.dim(0) != -1) {
            throw new GraphException("a predictor needs an input whose first dimension is the batch, found " + inputType);
        }
    }

    /** A predictor for {@code graph}. */
    public static Predictor of(Graph graph) {
        return new Predictor(graph);
    }

    /**
     * A predictor for the model in a {@code .nabla} file (see {@link ModelFile}): the file is checked completely
     * before anything runs, and a damaged one is refused with a {@link dev.nabla.io.FileFormatException}.
     */
    public static Predictor load(Path file) {
        return new Predictor(ModelFile.read(file).graph());
    }

    public Graph graph() {
        return graph;
    }

    /** The input's type, batch dimension first ({@code f32[N,1,28,28]}). */
    public TensorType inputType() {
        return inputType;
    }

    public TensorType outputType() {
        return outputType;
    }

    /** The outputs for a batch of inputs shaped like {@link #inputType()}; a new tensor the caller owns. */
    public Tensor predict(Tensor batch) {
        int n = Interpreter.batchSize(graph, List.of(batch));
        if (n < 1) {
            throw new GraphException("predict: a batch needs at least one sample, found shape "
                    + Shapes.str(batch.shape()) + " for " + inputType);
        }
        ExecutionPlan plan = take(n);
        try {
            return TensorScope.escape(plan.run(batch));
        } finally {
            give(plan);
        }
    }

    /**
     * The output for one sample: {@code sample} holds the input without its batch dimension (e.g. 784 floats for
     * [1, 28, 28]) and the result the output's values for that sample.
     */
    public float[] predict(float[] sample) {
        int[] shape = inputType.concrete(1);
        if (sample.length != Shapes.numel(shape)) {
            throw new GraphException("predict: one sample of " + inputType + " has " + Shapes.numel(shape)
                    + " values, found " + sample.length);
        }
        try (var scope = TensorScope.open(); Tensor out = predict(Tensor.of(sample).reshape(shape))) {
            return out.toFloatArray();
        }
    }

    /** Elements of working memory the plan for {@code batch} uses (compiling it if needed). */
    public long workingElements(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("workingElements: batch size must be at least 1, found " + batch);
        }
        ExecutionPlan plan = take(batch);
        try {
            return plan.arenaElements();
        } finally {
            give(plan);
        }
    }

    /** Frees the memory of every compiled plan; calls still running finish, later calls are refused. */
    @Override
    public void close() {
        synchronized (plans) {
            closed = true;
            plans.values().forEach(idle -> idle.forEach(ExecutionPlan::close));
            plans.clear();
        }
    }

    private ExecutionPlan take(int batch) {
        synchronized (plans) {
            if (closed) {
                throw new IllegalStateException("predict: this predictor is closed");
            }
            Deque<ExecutionPlan> idle = plans.get(batch);
            if (idle != null && !idle.isEmpty()) {
                return idle.pop();
            }
        }
        return ExecutionPlan.compile(graph, batch);
    }

    private void give(ExecutionPlan plan) {
        synchronized (plans) {
            Deque<ExecutionPlan> idle = closed ? null : plans.computeIfAbsent(plan.batch(), b -> new ArrayDeque<>());
            if (idle != null && idle.size() < PLANS_PER_SIZE) {
                idle.push(plan);
                return;
            }
        }
        plan.close();
    }
}
