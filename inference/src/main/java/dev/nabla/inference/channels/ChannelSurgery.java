package dev.nabla.inference.channels;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.TypeInference;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.Arrays;
import java.util.Map;

/**
 * Physically removes output channels of a {@link ChannelChain}'s producer: its weight rows and bias entries go, every
 * per-channel constant along the chain loses the same entries, a flatten's target shape shrinks, and the consumer
 * loses the matching input features (weight columns or input channels). What a removed channel fed the consumer is
 * folded into the consumer's bias: for each removed channel, the caller gives the value the consumer would have read
 * (one per channel, or one per column of the span after a flatten); {@code null} means the channel contributed
 * nothing (its values were all zero). Weight matrices get smaller, nothing is masked.
 */
public final class ChannelSurgery {
    private ChannelSurgery() {
    }

    /**
     * {@code graph} without channels {@code removed} (ascending) of {@code chain}, retyped. {@code inputValues} maps a
     * removed channel to the values the consumer read from it ({@code span} values, or 1 to broadcast over the span).
     * A constant channel feeding a padded convolution cannot be folded exactly (the padding reads zeros at the
     * border): callers that need exactness check {@link #foldsExactly} first.
     */
    public static Graph remove(Graph graph, ChannelChain chain, int[] removed, Map<Integer, double[]> inputValues) {
        if (removed.length == 0) {
            return graph;
        }
        if (removed.length >= chain.channels()) {
            throw new GraphException("cannot remove all " + chain.channels() + " channels of " + chain.producer().scope());
        }
        boolean[] drop = new boolean[chain.channels()];
        for (int c : removed) {
            drop[c] = true;
        }
        int[] kept = kept(drop);
        GraphEditor editor = graph.edit();
        // the producer: weight rows (dim 0) and bias entries
        Node.Call p = chain.producer();
        Value w = select(graph, editor, p.input(1), 0, kept);
        Value b = p.inputs().size() > 2 ? select(graph, editor, p.input(2), 0, kept) : null;
        editor.replaceInputs(p.output(), b == null ? new Value[]{p.input(0), w} : new Value[]{p.input(0), w, b});
        // the chain: per-channel constants and the flatten
        for (Node.Call op : chain.ops()) {
            switch (op.op()) {
                case Op.Binary bin -> {
                    int other = graph.constant(op.input(0)) != null ? 0 : 1;
                    Tensor c = graph.constant(op.input(other)).value();
                    int axis = c.rank() - (op.output().type().rank() - (chain.convolutional() ? 1 : op.output().type()
                            .rank() - 1));
                    if (axis >= 0 && axis < c.rank() && c.size(axis) == chain.channels()) {
                        Value sliced = select(graph, editor, op.input(other), axis, kept);
                        Value[] in = other == 0 ? new Value[]{sliced, op.input(1)} : new Value[]{op.input(0), sliced};
                        editor.replaceInputs(op.output(), in);
                    }
                }
                case Op.Reshape r -> editor.replaceOp(op.output(), new Op.Reshape(new int[]{-1, kept.length * chain.span()}),
                        op.output().type());
                default -> {
                }
            }
        }
        shrinkConsumer(graph, editor, chain, drop, kept, inputValues);
        return TypeInference.retype(editor.build());
    }

    /** True unless a removed channel with a non-zero value feeds a convolution that pads its input. */
    public static boolean foldsExactly(ChannelChain chain, Map<Integer, double[]> inputValues) {
        if (!(chain.consumer().op() instanceof Op.Conv2d c)) {
            return true;
        }
        boolean padded = c.geometry().padH() > 0 || c.geometry().padW() > 0;
        return !padded || inputValues.values().stream().allMatch(v -> v == null || Arrays.stream(v).allMatch(x -> x == 0));
    }

    private static void shrinkConsumer(Graph graph, GraphEditor editor, ChannelChain chain, boolean[] drop, int[] kept,
                                       Map<Integer, double[]> inputValues) {
        Node.Call q = chain.consumer();
        Tensor weight = graph.constant(q.input(1)).value();
        boolean conv = q.op() instanceof Op.Conv2d;
        int outputs = weight.size(0);
        int span = chain.span();
        // input features of the consumer kept: whole spans of kept channels
        int[] keptInputs = new int[kept.length * span];
        for (int i = 0; i < kept.length; i++) {
            for (int s = 0; s < span; s++) {
                keptInputs[i * span + s] = kept[i] * span + s;
            }
        }
        double[] delta = new double[outputs];
        boolean anyDelta = false;
        double[] wv = weight.toDoubleArray();
        int perOutput = wv.length / outputs;             // K for linear, C * kh * kw for conv
        int taps = conv ? perOutput / chain.channels() : 1;
        for (var e : inputValues.entrySet()) {
            double[] values = e.getValue();
            if (values == null) {
                continue;
            }
            int channel = e.getKey();
            for (int o = 0; o < outputs; o++) {
                double sum = 0;
                if (conv) {
                    for (int t = 0; t < taps; t++) {
                        sum += wv[o * perOutput + channel * taps + t] * values[0];
                    }
                } else {
                    for (int s = 0; s < span; s++) {
                        sum += wv[o * perOutput + channel * span + s] * values[values.length == 1 ? 0 : s];
                    }
                }
                delta[o] += sum;
                anyDelta |= sum != 0;
            }
        }
        Value newWeight = select(graph, editor, q.input(1), 1, conv ? kept : keptInputs);
        Value bias = q.inputs().size() > 2 ? q.input(2) : null;
        if (anyDelta) {
            DType dtype = weight.dtype();
            double[] b = bias == null ? new double[outputs] : graph.constant(bias).value().toDoubleArray();
            for (int o = 0; o < outputs; o++) {
                b[o] += delta[o];
            }
            Tensor newBias = TensorScope.escape(Tensor.of(b).to(dtype));
            bias = bias == null
                    ? editor.constant(q.scope().path().isEmpty() ? "bias" : q.scope().path() + ".bias", newBias,
                    Node.Role.PARAMETER, q.scope())
                    : replaced(graph, editor, bias, newBias);
        }
        Value x = ((Node.Call) editor.node(q.output())).input(0);
        editor.replaceInputs(q.output(), bias == null ? new Value[]{x, newWeight} : new Value[]{x, newWeight, bias});
        Op op = switch (q.op()) {
            case Op.Conv2d c -> new Op.Conv2d(c.geometry(), c.groups(), bias != null, c.activation());
            case Op.Linear l -> new Op.Linear(bias != null, l.activation());
            default -> throw new IllegalStateException(q.op().toString());
        };
        editor.replaceOp(q.output(), op, q.output().type());
    }

    private static int[] kept(boolean[] drop) {
        int n = 0;
        for (boolean d : drop) {
            n += d ? 0 : 1;
        }
        int[] kept = new int[n];
        for (int i = 0, j = 0; i < drop.length; i++) {
            if (!drop[i]) {
                kept[j++] = i;
            }
        }
        return kept;
    }

    /** The stored tensor {@code v} keeping only {@code indices} along {@code axis}. */
    private static Value select(Graph graph, GraphEditor editor, Value v, int axis, int[] indices) {
        Tensor t = graph.constant(v).value();
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indices[i];
        }
        Tensor selected = TensorScope.escape(t.indexSelect(axis, Tensor.of(idx)).contiguous());
        return replaced(graph, editor, v, selected);
    }

    /** Replaces a stored tensor in place when only one op reads it, else adds a new one beside it. */
    private static Value replaced(Graph graph, GraphEditor editor, Value old, Tensor value) {
        if (graph.useCount(old) == 1) {
            return editor.replaceConstant(old, value);
        }
        Node.Constant c = graph.constant(old);
        return editor.constant(old.name(), value, c.role(), c.scope());
    }
}
