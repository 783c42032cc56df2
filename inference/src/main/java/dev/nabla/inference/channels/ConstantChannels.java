package dev.nabla.inference.channels;

import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.engine.Ops;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.ops.Op;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.UnaryOp;

/**
 * Channels whose output is fixed by the weights alone: a producer channel whose weights are all zero outputs its
 * bias (then its fused activation) at every position, and the chain's elementwise ops map that to one value the
 * consumer reads everywhere (max pooling a constant plane gives the same constant; a flatten moves it). The value
 * is computed with the same kernels the graph runs, on one-element tensors, so it is the exact value the consumer
 * would have read.
 */
public final class ConstantChannels {
    private ConstantChannels() {
    }

    /** True if every weight of output channel {@code channel} of the chain's producer is zero. */
    public static boolean hasZeroWeights(Graph graph, ChannelChain chain, int channel) {
        Tensor w = graph.constant(chain.producer().input(1)).value();
        float[] values = w.toFloatArray();
        int per = values.length / chain.channels();
        for (int i = channel * per; i < (channel + 1) * per; i++) {
            if (values[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    /** The value the consumer reads from {@code channel} when the producer outputs {@code producerValue} there. */
    public static double throughChain(Graph graph, ChannelChain chain, int channel, double producerValue) {
        Node.Call producer = chain.producer();
        var dtype = producer.output().type().dtype();
        try (var off = GradMode.noGrad()) {
            Tensor v = Tensor.full(dtype, producerValue);
            FusedActivation activation = switch (producer.op()) {
                case Op.Conv2d c -> c.activation();
                case Op.Linear l -> l.activation();
                default -> FusedActivation.NONE;
            };
            if (activation == FusedActivation.RELU) {
                v = Ops.run(new Op.Unary(UnaryOp.RELU), v);
            }
            for (Node.Call op : chain.ops()) {
                if (op.op() instanceof Op.Unary) {
                    v = Ops.run(op.op(), v);
                } else if (op.op() instanceof Op.Binary) {
                    boolean constantFirst = graph.constant(op.input(0)) != null;
                    Tensor c = graph.constant(op.input(constantFirst ? 0 : 1)).value();
                    double[] all = c.toDoubleArray();
                    Tensor ci = Tensor.full(dtype, all.length == 1 ? all[0] : all[channel]);
                    v = constantFirst ? Ops.run(op.op(), ci, v) : Ops.run(op.op(), v, ci);
                }
                // max pooling and flatten move a constant plane without changing it
            }
            return v.item();
        }
    }

    /** The bias of the producer's output {@code channel}, 0 without a bias. */
    public static double producerBias(Graph graph, ChannelChain chain, int channel) {
        Node.Call p = chain.producer();
        return p.inputs().size() > 2 ? graph.constant(p.input(2)).value().toDoubleArray()[channel] : 0;
    }
}
