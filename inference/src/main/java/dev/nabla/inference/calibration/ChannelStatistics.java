package dev.nabla.inference.calibration;

import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Value;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Activation statistics per unit, gathered on calibration data where each {@link ChannelChain} hands its channels
 * to the next layer: for every channel the share of exact zeros (a ReLU unit that never activates has 1.0), the
 * mean, minimum and maximum, and, after a flatten, the mean of each of its columns (so that a removed channel's
 * average contribution can be folded per position).
 */
public final class ChannelStatistics {

    /** Statistics of one chain's channels. */
    public static final class Channels {
        private final int channels;
        private final int span;
        private long samplesPerChannel;
        private final long[] zeros;
        private final double[] sum;
        private final double[] sumAbs;
        private final double[] min;
        private final double[] max;
        private final double[] columnSum;
        private long columnCount;

        Channels(int channels, int span) {
            this.channels = channels;
            this.span = span;
            zeros = new long[channels];
            sum = new double[channels];
            sumAbs = new double[channels];
            min = new double[channels];
            max = new double[channels];
            columnSum = new double[channels * span];
            java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        /**
         * Adds a batch of the consumer's input: [N, C, H, W] (channel-major planes) or [N, C * span] / [..., C]
         * (channel-major columns).
         */
        void add(Tensor value) {
            float[] v = value.contiguous().toFloatArray();
            int perSample = channels * span;
            boolean planes = value.rank() == 4;
            int plane = planes ? value.size(2) * value.size(3) : 1;
            int rows = planes ? value.size(0) : v.length / perSample;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < channels; c++) {
                    int base = planes ? (r * channels + c) * plane : r * perSample + c * span;
                    int n = planes ? plane : span;
                    for (int i = 0; i < n; i++) {
                        float x = v[base + i];
                        if (x == 0f) {
                            zeros[c]++;
                        }
                        sum[c] += x;
                        sumAbs[c] += Math.abs(x);
                        min[c] = Math.min(min[c], x);
                        max[c] = Math.max(max[c], x);
                        if (!planes) {
                            columnSum[c * span + i] += x;
                        }
                    }
                }
            }
            samplesPerChannel += (long) rows * (planes ? plane : span);
            columnCount += rows;
        }

        public int channels() {
            return channels;
        }

        /** Share of the channel's values that were exactly zero. */
        public double zeroShare(int c) {
            return samplesPerChannel == 0 ? 0 : zeros[c] / (double) samplesPerChannel;
        }

        public double mean(int c) {
            return samplesPerChannel == 0 ? 0 : sum[c] / samplesPerChannel;
        }

        /** Mean of the channel's absolute values. */
        public double meanAbs(int c) {
            return samplesPerChannel == 0 ? 0 : sumAbs[c] / samplesPerChannel;
        }

        public double min(int c) {
            return min[c];
        }

        public double max(int c) {
            return max[c];
        }

        /** The channel's mean per column of its span (one value without a flatten). */
        public double[] columnMeans(int c) {
            if (span == 1 || columnCount == 0) {
                return new double[]{mean(c)};
            }
            double[] out = new double[span];
            for (int i = 0; i < span; i++) {
                out[i] = columnSum[c * span + i] / columnCount;
            }
            return out;
        }
    }

    private final Map<Integer, Channels> byProducer = new HashMap<>();

    private ChannelStatistics() {
    }

    /** Runs {@code graph} on each calibration batch and gathers statistics for every chain in {@code chains}. */
    public static ChannelStatistics collect(Graph graph, List<ChannelChain> chains, Iterable<Tensor> batches) {
        ChannelStatistics stats = new ChannelStatistics();
        Map<Integer, Channels> byValue = new HashMap<>();
        for (ChannelChain chain : chains) {
            Channels ch = new Channels(chain.channels(), chain.span());
            stats.byProducer.put(chain.producer().output().id(), ch);
            byValue.put(chain.consumerInput().id(), ch);
        }
        for (Tensor batch : batches) {
            try (var scope = TensorScope.open()) {
                Interpreter.run(graph, List.of(batch), (Value value, Tensor result) -> {
                    Channels ch = byValue.get(value.id());
                    if (ch != null) {
                        ch.add(result);
                    }
                });
            }
        }
        return stats;
    }

    /** The statistics of the chain that starts at {@code chain}'s producer. */
    public Channels of(ChannelChain chain) {
        return byProducer.get(chain.producer().output().id());
    }
}
