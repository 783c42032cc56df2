package dev.nabla.inference.channels;

import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.List;

/**
 * The dependency analysis behind channel removal: which ops a layer's output channels flow through before the next
 * layer reads them, so that removing a channel can shrink every one of them (Torch-Pruning's DepGraph, for chains).
 *
 * <p>A chain starts at a {@code producer} (a conv2d or linear call with stored weights) and ends at a
 * {@code consumer} (a conv2d with one group, or a linear layer, with stored weights) that reads the chain's last
 * value as its input. In between, each value has exactly one reader, and each op keeps channels apart: elementwise
 * ops (alone, or with a stored operand that is per-channel or a scalar), max pooling, and a flatten of
 * {@code [N, C, H, W]} to {@code [N, C*H*W]} before a linear consumer, after which channel {@code c} is the columns
 * {@code c*H*W .. (c+1)*H*W - 1}. Anything else (a residual add, a concatenation, a value read twice) ends the
 * analysis without a chain, so nothing is removed there.
 *
 * @param producer  the layer whose output channels are considered
 * @param ops       the ops between producer and consumer, in order
 * @param consumer  the layer that reads the chain
 * @param channels  the producer's output channels
 * @param span      how many consecutive consumer inputs each channel feeds (H*W after a flatten, else 1)
 */
public record ChannelChain(Node.Call producer, List<Node.Call> ops, Node.Call consumer, int channels, int span) {

    public ChannelChain {
        ops = List.copyOf(ops);
    }

    /** True if the producer is a convolution (channels on dimension 1), false for a linear layer (last dimension). */
    public boolean convolutional() {
        return producer.op() instanceof Op.Conv2d;
    }

    /** The value the consumer reads: the chain's last value. */
    public Value consumerInput() {
        return ops.isEmpty() ? producer.output() : ops.get(ops.size() - 1).output();
    }

    /** Every chain that starts at a call of {@code graph}, in node order. */
    public static List<ChannelChain> all(Graph graph) {
        List<ChannelChain> chains = new ArrayList<>();
        for (Node.Call call : graph.calls()) {
            ChannelChain c = from(graph, call);
            if (c != null) {
                chains.add(c);
            }
        }
        return chains;
    }

    /**
     * The chain that starts at the call whose output has id {@code producerId}, or null: how a pass finds a chain
     * again after earlier removals changed the graph (producers keep their value ids).
     */
    public static ChannelChain at(Graph graph, int producerId) {
        for (Node.Call call : graph.calls()) {
            if (call.output().id() == producerId) {
                return from(graph, call);
            }
        }
        return null;
    }

    /** The chain that starts at {@code producer}, or null if its channels cannot be followed to a next layer. */
    public static ChannelChain from(Graph graph, Node.Call producer) {
        boolean conv = producer.op() instanceof Op.Conv2d c && c.groups() == 1;
        if (!(conv || producer.op() instanceof Op.Linear) || !storedWeights(graph, producer)) {
            return null;
        }
        int channels = producer.output().type().dim(conv ? 1 : producer.output().type().rank() - 1);
        List<Node.Call> ops = new ArrayList<>();
        Value v = producer.output();
        int span = 1;
        while (true) {
            if (graph.useCount(v) != 1 || graph.isOutput(v)) {
                return null;
            }
            Node.Call next = graph.users(v).get(0);
            if (isConsumer(graph, next, v, conv, span)) {
                return new ChannelChain(producer, ops, next, channels, span);
            }
            if (next.op() instanceof Op.Reshape && conv && span == 1 && isFlatten(next, v, channels)) {
                span = v.type().dim(2) * v.type().dim(3);
            } else if (!keepsChannels(graph, next, v, conv && span == 1, channels)) {
                return null;
            }
            ops.add(next);
            v = next.output();
        }
    }

    private static boolean storedWeights(Graph graph, Node.Call layer) {
        for (int i = 1; i < layer.inputs().size(); i++) {
            if (graph.constant(layer.input(i)) == null) {
                return false;
            }
        }
        return true;
    }

    /** {@code next} reads {@code v} as the input of a layer whose input features are the chain's channels. */
    private static boolean isConsumer(Graph graph, Node.Call next, Value v, boolean conv, int span) {
        if (next.input(0).id() != v.id() || !storedWeights(graph, next) || next.inputs().stream().skip(1)
                .anyMatch(in -> in.id() == v.id())) {
            return false;
        }
        if (next.op() instanceof Op.Conv2d c) {
            return conv && span == 1 && c.groups() == 1;
        }
        return next.op() instanceof Op.Linear && (!conv || span > 1);
    }

    /** A reshape of [N, C, H, W] to [N, C*H*W]. */
    private static boolean isFlatten(Node.Call reshape, Value v, int channels) {
        var in = v.type();
        var out = reshape.output().type();
        return in.rank() == 4 && out.rank() == 2 && in.dim(0) == -1 && out.dim(0) == -1 && in.dim(1) == channels
                && out.dim(1) == channels * in.dim(2) * in.dim(3);
    }

    /** Elementwise and pooling ops that leave channel {@code c} in place and mix no channels. */
    private static boolean keepsChannels(Graph graph, Node.Call next, Value v, boolean imageLayout, int channels) {
        return switch (next.op()) {
            case Op.Unary u -> true;
            case Op.MaxPool2d m -> imageLayout;
            case Op.Binary b -> {
                int other = next.input(0).id() == v.id() ? 1 : 0;
                Tensor c = graph.constant(next.input(other)) == null ? null : graph.constant(next.input(other)).value();
                yield next.input(1 - other).id() == v.id() && c != null && next.output().type().equals(v.type())
                        && perChannelShape(c.shape(), v.type().rank(), imageLayout ? 1 : v.type().rank() - 1, channels);
            }
            default -> false;
        };
    }

    /** A shape that broadcasts along the channel axis only: all 1 except, possibly, {@code channels} at the axis. */
    static boolean perChannelShape(int[] shape, int rank, int axis, int channels) {
        if (shape.length > rank) {
            return false;
        }
        int lead = rank - shape.length;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1 && !(lead + i == axis && shape[i] == channels)) {
                return false;
            }
        }
        return true;
    }
}
