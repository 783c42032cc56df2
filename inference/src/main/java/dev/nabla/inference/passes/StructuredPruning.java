package dev.nabla.inference.passes;

import dev.nabla.inference.GraphException;
import dev.nabla.inference.calibration.ChannelStatistics;
import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.channels.ChannelSurgery;
import dev.nabla.inference.graph.Graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Data-driven: removes the given share of every prunable layer's output channels (each {@link ChannelChain}), the
 * least important first by a {@link PruningCriterion}. A removed channel's average contribution on the calibration
 * data (per position after a flatten) moves into the next layer's bias, which keeps the outputs closer than
 * dropping it. Channels are removed physically, so weight matrices shrink; at least one channel stays per layer.
 */
public final class StructuredPruning implements Pass {
    private final double ratio;
    private final Map<String, Double> perLayer;
    private final PruningCriterion criterion;
    private final ChannelStatistics statistics;
    private final Graph captured;

    /**
     * @param ratio      share of each layer's channels to remove, in [0, 1)
     * @param statistics calibration statistics of this graph's chains
     * @param captured   the graph as traced, before batch norms were folded (for {@link PruningCriterion#BN_SCALE})
     */
    public StructuredPruning(double ratio, PruningCriterion criterion, ChannelStatistics statistics, Graph captured) {
        this(ratio, Map.of(), criterion, statistics, captured);
    }

    /**
     * With {@code perLayer} ratios for some layers, by the module path of the layer whose channels go
     * ({@code "model.0"}); the others use {@code ratio}.
     */
    public StructuredPruning(double ratio, Map<String, Double> perLayer, PruningCriterion criterion,
                             ChannelStatistics statistics, Graph captured) {
        checkRatio(ratio);
        perLayer.values().forEach(StructuredPruning::checkRatio);
        this.perLayer = Map.copyOf(perLayer);
        this.ratio = ratio;
        this.criterion = criterion;
        this.statistics = statistics;
        this.captured = captured;
    }

    private static void checkRatio(double r) {
        if (!(r >= 0 && r < 1)) {
            throw new IllegalArgumentException("pruning ratio must be in [0, 1), found " + r);
        }
    }

    @Override
    public String name() {
        return "structured pruning";
    }

    @Override
    public boolean isExact() {
        return false;
    }

    @Override
    public PassResult run(Graph graph) {
        List<String> changes = new ArrayList<>();
        Graph current = graph;
        List<ChannelChain> chains = ChannelChain.all(graph);
        Set<String> prunable = new TreeSet<>();
        chains.forEach(c -> prunable.add(c.producer().scope().path()));
        for (String layer : perLayer.keySet()) {
            if (!prunable.contains(layer)) {
                throw new GraphException("structured pruning: a ratio is given for '" + layer + "', which is not a "
                        + "prunable layer of this model; prunable layers: " + String.join(", ", prunable));
            }
        }
        for (ChannelChain original : chains) {
            ChannelStatistics.Channels stats = statistics.of(original);
            ChannelChain chain = ChannelChain.at(current, original.producer().output().id());
            if (stats == null || chain == null || stats.channels() != chain.channels()) {
                continue;
            }
            double r = perLayer.getOrDefault(chain.producer().scope().path(), ratio);
            int remove = Math.min((int) Math.floor(r * chain.channels() + 1e-9), chain.channels() - 1);
            if (remove == 0) {
                continue;
            }
            double[] importance = criterion.importance(current, captured, chain, stats);
            int[] order = IntStream.range(0, chain.channels()).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> importance[c]).thenComparingInt(c -> c))
                    .mapToInt(Integer::intValue).toArray();
            int[] removed = Arrays.copyOf(order, remove);
            Arrays.sort(removed);
            Map<Integer, double[]> values = new LinkedHashMap<>();
            for (int c : removed) {
                values.put(c, stats.columnMeans(c));
            }
            current = ChannelSurgery.remove(current, chain, removed, values);
            changes.add("removed " + remove + " of " + chain.channels() + " channels of " + Patterns.where(chain.producer())
                    + " by " + criterion.label() + "; " + Patterns.where(chain.consumer()) + " reads "
                    + (chain.channels() - remove));
        }
        return new PassResult(current, changes);
    }
}
