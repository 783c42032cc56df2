package dev.nabla.inference.format;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.io.FileFormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last check of a loaded graph: it runs on zero inputs at batch sizes 2 and 3 through the interpreter,
 * which compares every computed value with its declared type. Every op's attributes are thereby checked against
 * real operands by the same rules eager mode uses, and the declared types (symbolic batch dimensions included)
 * are proven, so that later passes may trust them.
 *
 * <p>Before anything runs, {@link #checkBudget} bounds what the run may allocate and compute, from the declared
 * types alone: a file of a few hundred bytes can declare an input of a billion elements.
 */
final class DryRun {
    /** Batch sizes of the run: two, so that a symbolic dimension is not mistaken for a constant one. */
    static final int[] BATCHES = {2, 3};
    /** The largest batch size of the run, at which the budget is reckoned. */
    static final int BUDGET_BATCH = 3;
    /** Bytes the run may use for inputs and intermediate values (constants are paid for by the file itself). */
    static final long MEMORY_LIMIT = 1L << 30;
    /** Bytes one op call may allocate for its result and scratch, as bounded by {@link OpCost}. */
    static final long CALL_LIMIT = 1L << 30;
    /** Multiply-adds the run may take in all (about a minute of one core at the very worst). */
    static final long WORK_LIMIT = 1L << 37;

    private DryRun() {
    }

    /**
     * Refuses a graph whose dry run would need more than the limits: the declared inputs and call results
     * together, any one call's own bound (attributes that would make a huge result whatever is declared), and the
     * total multiply-adds. Nothing is allocated here.
     */
    static void checkBudget(Path file, GraphSpec spec, Map<String, GraphSpec.NodeSpec> byName) {
        long bytes = 0;
        long work = 0;
        for (GraphSpec.NodeSpec node : spec.nodes()) {
            TensorType type = node.type();
            for (int s : type.shape()) {
                if (s < 0 && (long) -s * BUDGET_BATCH > Integer.MAX_VALUE) {
                    throw new FileFormatException(file, "graph: " + node.label() + " is declared " + type
                            + ", a dimension too large for a tensor at batch size " + BUDGET_BATCH);
                }
            }
            if (node.kind() == GraphSpec.Kind.CONSTANT) {
                continue;
            }
            // saturating: TensorType.numel's plain long product can wrap for hostile shapes
            bytes = OpCost.add(bytes, OpCost.mul(OpCost.numel(type.concrete(BUDGET_BATCH)), type.dtype().byteSize()));
            if (bytes > MEMORY_LIMIT) {
                throw new FileFormatException(file, "graph: the inputs and results declared up to " + node.label()
                        + " (" + type + ") need more than " + MEMORY_LIMIT + " bytes at batch size " + BUDGET_BATCH
                        + ", the limit for checking a graph; the declared shapes are corrupt or the model is too "
                        + "large to verify");
            }
            if (node.kind() == GraphSpec.Kind.CALL) {
                List<int[]> shapes = new ArrayList<>();
                for (String input : node.inputs()) {
                    shapes.add(byName.get(input).type().concrete(BUDGET_BATCH));
                }
                OpCost cost = OpCost.of(node.op(), shapes);
                // 8 bytes per element: the largest dtype, since the result's dtype is not known yet
                long callBytes = OpCost.mul(cost.elements(), 8);
                if (callBytes > CALL_LIMIT) {
                    throw new FileFormatException(file, "graph: " + node.label() + " = " + node.op().name()
                            + " could allocate up to " + callBytes + " bytes at batch size " + BUDGET_BATCH
                            + " for its inputs' shapes and its attributes " + node.op() + ", more than the limit of "
                            + CALL_LIMIT + " for checking a graph");
                }
                work = OpCost.add(work, cost.multiplyAdds());
                if (work > WORK_LIMIT) {
                    throw new FileFormatException(file, "graph: checking the calls up to " + node.label()
                            + " would take more than " + WORK_LIMIT + " multiply-adds at batch size "
                            + BUDGET_BATCH + ", the limit for checking a graph");
                }
            }
        }
    }

    /** Runs {@code graph} on zeros at each batch size of {@link #BATCHES}; a mismatch refuses the file. */
    static void run(Path file, Graph graph) {
        for (int batch : BATCHES) {
            // Everything the run makes is freed at once; the graph's constants were made outside this scope.
            try (var scope = TensorScope.open()) {
                List<Tensor> inputs = new ArrayList<>();
                for (Value in : graph.inputs()) {
                    inputs.add(Tensor.zeros(in.type().dtype(), in.type().concrete(batch)));
                }
                Interpreter.run(graph, inputs, true);
            } catch (GraphException e) {
                throw new FileFormatException(file, "graph does not run as declared (dry run on zeros at batch size "
                        + batch + "): " + e.getMessage(), e);
            }
        }
    }
}
