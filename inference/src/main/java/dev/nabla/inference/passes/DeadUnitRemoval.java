package dev.nabla.inference.passes;

import dev.nabla.inference.calibration.ChannelStatistics;
import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.channels.ChannelSurgery;
import dev.nabla.inference.graph.Graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data-driven: removes units that never activate on the calibration data (every value the next layer read from
 * them was zero, a dead ReLU unit) and units whose value never changed (folded into the next layer's bias, per
 * position after a flatten). Not exact: an input unlike the calibration data could have activated them, which is
 * why the accuracy gate measures the result on held-out data.
 */
public final class DeadUnitRemoval implements Pass {
    private final ChannelStatistics statistics;

    /** {@code statistics} gathered on calibration data for this graph's chains (see {@link ChannelStatistics}). */
    public DeadUnitRemoval(ChannelStatistics statistics) {
        this.statistics = statistics;
    }

    @Override
    public String name() {
        return "dead-unit removal";
    }

    @Override
    public boolean isExact() {
        return false;
    }

    @Override
    public PassResult run(Graph graph) {
        List<String> changes = new ArrayList<>();
        Graph current = graph;
        for (ChannelChain original : ChannelChain.all(graph)) {
            ChannelStatistics.Channels stats = statistics.of(original);
            ChannelChain chain = ChannelChain.at(current, original.producer().output().id());
            if (stats == null || chain == null) {
                continue;
            }
            Map<Integer, double[]> removed = new LinkedHashMap<>();
            int dead = 0;
            for (int c = 0; c < chain.channels() && removed.size() < chain.channels() - 1; c++) {
                if (stats.zeroShare(c) == 1.0) {
                    removed.put(c, null);
                    dead++;
                } else if (stats.min(c) == stats.max(c)) {
                    removed.put(c, stats.columnMeans(c));
                }
            }
            if (removed.isEmpty()) {
                continue;
            }
            current = ChannelSurgery.remove(current, chain, removed.keySet().stream().mapToInt(Integer::intValue)
                    .toArray(), removed);
            changes.add("removed " + removed.size() + " of " + chain.channels() + " units of "
                    + Patterns.where(chain.producer()) + " (" + dead + " never active, " + (removed.size() - dead)
                    + " constant on the calibration data)");
        }
        return new PassResult(current, changes);
    }
}
