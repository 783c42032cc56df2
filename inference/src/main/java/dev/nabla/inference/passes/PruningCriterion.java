package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.inference.calibration.ChannelStatistics;
import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Node;
import dev.nabla.ops.Op;

import java.util.Locale;

/** How structured pruning ranks a layer's channels: the least important go first. */
public enum PruningCriterion {
    /** Sum of absolute weights of the channel's filter (after batch-norm folding, so the norm's scale counts). */
    L1 {
        @Override
        double[] importance(Graph graph, Graph captured, ChannelChain chain, ChannelStatistics.Channels stats) {
            float[] w = graph.constant(chain.producer().input(1)).value().toFloatArray();
            int per = w.length / chain.channels();
            double[] out = new double[chain.channels()];
            for (int c = 0; c < out.length; c++) {
                for (int i = c * per; i < (c + 1) * per; i++) {
                    out[c] += Math.abs(w[i]);
                }
            }
            return out;
        }
    },
    /** How often the unit was non-zero on the calibration data: units that are mostly zero go first. */
    ZEROS {
        @Override
        double[] importance(Graph graph, Graph captured, ChannelChain chain, ChannelStatistics.Channels stats) {
            double[] out = new double[chain.channels()];
            for (int c = 0; c < out.length; c++) {
                out[c] = 1 - stats.zeroShare(c);
            }
            return out;
        }
    },
    /**
     * What the channel contributes to the next layer: its mean absolute value on the calibration data times the
     * magnitude of the next layer's weights that read it (both matter: a busy channel read with tiny weights, or a
     * strongly weighted one that is almost always zero, contributes little).
     */
    CONTRIBUTION {
        @Override
        double[] importance(Graph graph, Graph captured, ChannelChain chain, ChannelStatistics.Channels stats) {
            float[] w = graph.constant(chain.consumer().input(1)).value().toFloatArray();
            int outputs = graph.constant(chain.consumer().input(1)).value().size(0);
            int per = w.length / outputs;                      // inputs per output: channels * span (or * taps)
            int group = per / chain.channels();                // consecutive inputs that belong to one channel
            double[] out = new double[chain.channels()];
            for (int o = 0; o < outputs; o++) {
                for (int c = 0; c < out.length; c++) {
                    for (int i = 0; i < group; i++) {
                        out[c] += Math.abs(w[o * per + c * group + i]);
                    }
                }
            }
            for (int c = 0; c < out.length; c++) {
                out[c] *= stats.meanAbs(c);
            }
            return out;
        }
    },
    /**
     * The absolute scale (gamma) of the batch norm that followed the layer in the captured model (network slimming);
     * falls back to {@link #L1} for layers without one.
     */
    BN_SCALE {
        @Override
        double[] importance(Graph graph, Graph captured, ChannelChain chain, ChannelStatistics.Channels stats) {
            Tensor gamma = batchNormScale(captured, chain);
            if (gamma == null || gamma.numel() != chain.channels()) {
                return L1.importance(graph, captured, chain, stats);
            }
            double[] g = gamma.toDoubleArray();
            for (int c = 0; c < g.length; c++) {
                g[c] = Math.abs(g[c]);
            }
            return g;
        }
    };

    /** One score per output channel of the chain's producer; higher is more important. */
    abstract double[] importance(Graph graph, Graph captured, ChannelChain chain, ChannelStatistics.Channels stats);

    /** The weight of the first batch norm whose scope directly follows the layer's in the captured graph. */
    private static Tensor batchNormScale(Graph captured, ChannelChain chain) {
        String layer = chain.producer().scope().path();
        for (Node.Call call : captured.calls()) {
            if (call.scope().path().equals(layer) && (call.op() instanceof Op.Conv2d || call.op() instanceof Op.Linear)) {
                Node.Call next = Patterns.onlyUser(captured, call.output());
                if (next != null && next.scope().type().startsWith("BatchNorm")) {
                    Node.Constant weight = captured.constantsByName().get(next.scope().path() + ".weight");
                    return weight == null ? null : weight.value();
                }
            }
        }
        return null;
    }

    /** {@code l1}, {@code zeros}, {@code contribution} or {@code bn-scale}, as the command line spells it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static PruningCriterion parse(String text) {
        for (PruningCriterion c : values()) {
            if (c.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("expected l1, zeros, contribution or bn-scale, found '" + text + "'");
    }
}
