package dev.nabla.inference.capture;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.TraceException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.SymbolicShapes;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.nn.Module;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures a model's forward pass as a {@link Graph}: every primitive op it runs, in the module scope it ran
 * in, with parameters and buffers as named stored tensors and tensors made outside the ops as named constants.
 *
 * <p>The batch size stays symbolic. The model runs twice, on the example repeated to two batch sizes (at
 * least 2 and 3, so that no batch dimension is mistaken for a broadcastable 1), and the two recordings must
 * agree op for op; a dimension that differs between them in proportion to the batch size becomes symbolic, and
 * so does the entry of a reshape or expand that follows it (recorded as -1). A model whose ops differ between
 * the two runs (control flow on values or on the batch size) is refused, as is anything a graph cannot capture
 * (reading values with {@code item()}, random numbers, in-place writes); see {@link TraceException}.
 *
 * <p>The model runs in eval mode during the trace (its previous mode is restored) and nothing is recorded for
 * autograd. Dimension 0 of the example input is its batch dimension.
 */
public final class GraphCapture {
    private GraphCapture() {
    }

    /** The graph of {@code model} applied to inputs shaped like {@code example} (any batch size). */
    public static Graph trace(Module model, Tensor example) {
        if (example.rank() == 0 || example.size(0) == 0) {
            throw new TraceException("trace: the example input needs a batch dimension with at least one sample, "
                    + "found shape " + Shapes.str(example.shape()));
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = TensorScope.open()) {
            int first = Math.max(2, example.size(0));
            int second = first + 1;
            Recorder a = new Recorder(model, true);
            a.run(model, repeated(example, first));
            Recorder b = new Recorder(model, false);
            b.run(model, repeated(example, second));
            return merge(a, b, first, second, example);
        } finally {
            model.train(wasTraining);
        }
    }

    /** {@code batch} samples cycling through the example's. */
    private static Tensor repeated(Tensor example, int batch) {
        int n = example.size(0);
        if (batch == n) {
            return example;
        }
        List<Tensor> rows = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            rows.add(example.narrow(0, i % n, 1));
        }
        return Tensor.cat(rows, 0);
    }

    private static Graph merge(Recorder a, Recorder b, int batchA, int batchB, Tensor example) {
        List<Recorder.Step> stepsA = a.steps();
        List<Recorder.Step> stepsB = b.steps();
        if (stepsA.size() != stepsB.size()) {
            throw new TraceException("cannot trace: the model ran " + stepsA.size() + " steps at batch size " + batchA
                    + " but " + stepsB.size() + " at batch size " + batchB + "; its ops depend on the batch size or "
                    + "on the data");
        }
        GraphEditor graph = GraphEditor.empty();
        Map<Integer, Value> values = new HashMap<>();
        for (int i = 0; i < stepsA.size(); i++) {
            Recorder.Step sa = stepsA.get(i);
            Recorder.Step sb = stepsB.get(i);
            Value v = switch (sa) {
                case Recorder.InputStep in -> {
                    int[] shape = example.shape();
                    shape[0] = -1;
                    yield graph.input("input", new TensorType(example.dtype(), shape));
                }
                case Recorder.StoredStep st -> {
                    if (!(sb instanceof Recorder.StoredStep other) || !other.name().equals(st.name())
                            || !Arrays.equals(a.tensor(st.value()).shape(), b.tensor(other.value()).shape())) {
                        throw differ(sa, sb, batchA, batchB, "a tensor made outside the ops depends on the batch size");
                    }
                    yield graph.constant(st.name(), st.copy(), st.role(), st.scope());
                }
                case Recorder.CallStep ca -> {
                    if (!(sb instanceof Recorder.CallStep cb) || ca.op().getClass() != cb.op().getClass()
                            || !Arrays.equals(ca.inputs(), cb.inputs())) {
                        throw differ(sa, sb, batchA, batchB, "the ops differ");
                    }
                    Tensor[] inA = tensors(a, ca.inputs());
                    Tensor[] inB = tensors(b, cb.inputs());
                    Op op = symbolicOp(ca, cb, inA, inB, batchA, batchB);
                    TensorType type = symbolicType(ca, a.tensor(ca.value()), b.tensor(cb.value()), batchA, batchB);
                    Value[] operands = new Value[ca.inputs().length];
                    for (int k = 0; k < operands.length; k++) {
                        operands[k] = values.get(ca.inputs()[k]);
                    }
                    yield graph.call(op, type, ca.scope(), operands);
                }
            };
            values.put(sa.value(), v);
        }
        graph.setOutputs(List.of(values.get(a.output())));
        return graph.build();
    }

    private static Tensor[] tensors(Recorder r, int[] numbers) {
        Tensor[] out = new Tensor[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            out[i] = r.tensor(numbers[i]);
        }
        return out;
    }

    private static TraceException differ(Recorder.Step a, Recorder.Step b, int batchA, int batchB, String why) {
        return new TraceException("cannot trace " + where(a.scope()) + ": " + why + " between batch sizes " + batchA
                + " and " + batchB + " (" + describe(a) + " versus " + describe(b) + "); the model's computation "
                + "must not depend on the batch size or the data");
    }

    private static String describe(Recorder.Step s) {
        return switch (s) {
            case Recorder.InputStep in -> "the input";
            case Recorder.StoredStep st -> "stored tensor '" + st.name() + "'";
            case Recorder.CallStep c -> "op " + c.op();
        };
    }

    private static String where(Scope scope) {
        return scope.path().isEmpty() ? "the model" : "module '" + scope.path() + "' (" + scope.type() + ")";
    }

    /**
     * The value's type with batch-dependent dimensions made symbolic: a dimension that is {@code k * batchA} in
     * the first run and {@code k * batchB} in the second is stored as {@code -k}.
     */
    private static TensorType symbolicType(Recorder.CallStep step, Tensor ta, Tensor tb, int batchA, int batchB) {
        int[] sa = ta.shape();
        int[] sb = tb.shape();
        if (sa.length != sb.length || ta.dtype() != tb.dtype()) {
            throw new TraceException("cannot trace " + where(step.scope()) + ": '" + step.op().name()
                    + "' gives " + Shapes.str(sa) + " at batch size " + batchA + " but " + Shapes.str(sb) + " at "
                    + batchB);
        }
        int[] shape = new int[sa.length];
        for (int d = 0; d < sa.length; d++) {
            shape[d] = symbolicDim(step, sa, sb, d, batchA, batchB);
        }
        return new TensorType(ta.dtype(), shape);
    }

    private static int symbolicDim(Recorder.CallStep step, int[] sa, int[] sb, int d, int batchA, int batchB) {
        if (sa[d] == sb[d]) {
            return sa[d];
        }
        if (sa[d] % batchA == 0 && sb[d] % batchB == 0 && sa[d] / batchA == sb[d] / batchB) {
            return -(sa[d] / batchA);
        }
        throw new TraceException("cannot trace " + where(step.scope()) + ": dimension " + d + " of the result of '"
                + step.op().name() + "' is " + sa[d] + " at batch size " + batchA + " and " + sb[d] + " at batch size "
                + batchB + ", not a fixed multiple of the batch size");
    }

    /** The op with batch-dependent attributes made symbolic (see {@link SymbolicShapes}); refuses other differences. */
    private static Op symbolicOp(Recorder.CallStep ca, Recorder.CallStep cb, Tensor[] inA, Tensor[] inB, int batchA,
                                 int batchB) {
        Op a = ca.op();
        Op b = cb.op();
        if (a.equals(b)) {
            return a;
        }
        switch (a) {
            case Op.Reshape ra when b instanceof Op.Reshape rb && ra.shape().length == rb.shape().length -> {
                int[] shape = ra.shape().clone(); // the recorded op keeps its own
                int open = -1;
                for (int d = 0; d < shape.length; d++) {
                    if (shape[d] != rb.shape()[d]) {
                        if (open >= 0) {
                            throw notSymbolic(ca, a, b, "more than one dimension follows the batch size");
                        }
                        open = d;
                    }
                }
                shape[open] = -1;
                return new Op.Reshape(shape);
            }
            case Op.Expand ea when b instanceof Op.Expand eb && ea.shape().length == eb.shape().length -> {
                int[] shape = ea.shape().clone();
                int lead = shape.length - inA[0].rank();
                for (int d = 0; d < shape.length; d++) {
                    if (shape[d] != eb.shape()[d]) {
                        boolean keepsInput = d >= lead && inA[0].size(d - lead) == shape[d]
                                && inB[0].size(d - lead) == eb.shape()[d];
                        if (!keepsInput) {
                            throw notSymbolic(ca, a, b, "it expands a dimension to the batch size");
                        }
                        shape[d] = -1;
                    }
                }
                return new Op.Expand(shape);
            }
            case Op.Slice sa when b instanceof Op.Slice sb && sa.dim() == sb.dim() && sa.start() == sb.start()
                    && sa.step() == sb.step() && sa.end() == inA[0].size(sa.dim())
                    && sb.end() == inB[0].size(sb.dim()) -> {
                return new Op.Slice(sa.dim(), sa.start(), SymbolicShapes.OPEN_END, sa.step());
            }
            default -> throw notSymbolic(ca, a, b, "its attributes change with the batch size");
        }
    }

    private static TraceException notSymbolic(Recorder.CallStep step, Op a, Op b, String why) {
        return new TraceException("cannot trace " + where(step.scope()) + ": '" + a.name() + "' is " + a
                + " at one batch size and " + b + " at another; " + why);
    }
}
