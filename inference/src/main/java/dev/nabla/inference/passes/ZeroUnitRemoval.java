package dev.nabla.inference.passes;

import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.channels.ChannelSurgery;
import dev.nabla.inference.channels.ConstantChannels;
import dev.nabla.inference.graph.Graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes units whose output is fixed by the weights alone: a conv or linear output channel with all-zero weights
 * outputs its bias everywhere, so the next layer can add what it would have read from it to its own bias, and the
 * channel goes from both layers and from everything between them ({@link ChannelSurgery}). A unit whose value is 0
 * after its activation (a dead ReLU unit) simply disappears. Declined where the fold would not be exact: a non-zero
 * constant read by a convolution that pads its input (the padding reads zeros at the border).
 */
public final class ZeroUnitRemoval implements Pass {
    @Override
    public String name() {
        return "constant-unit removal";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public PassResult run(Graph graph) {
        List<String> changes = new ArrayList<>();
        List<Integer> producers = new ArrayList<>();
        for (ChannelChain chain : ChannelChain.all(graph)) {
            producers.add(chain.producer().output().id());
        }
        Graph current = graph;
        for (int id : producers) {
            ChannelChain chain = ChannelChain.at(current, id);
            if (chain == null) {
                continue;
            }
            Map<Integer, double[]> values = new LinkedHashMap<>();
            for (int c = 0; c < chain.channels(); c++) {
                if (ConstantChannels.hasZeroWeights(current, chain, c)) {
                    double v = ConstantChannels.throughChain(current, chain, c,
                            ConstantChannels.producerBias(current, chain, c));
                    values.put(c, v == 0 ? null : new double[]{v});
                }
            }
            if (values.isEmpty()) {
                continue;
            }
            if (values.size() == chain.channels()) {
                values.remove(values.keySet().iterator().next()); // a layer keeps at least one unit
            }
            String layer = Patterns.where(chain.producer());
            if (!ChannelSurgery.foldsExactly(chain, values)) {
                changes.add("declined: " + values.size() + " constant unit(s) of " + layer + " feed a padded convolution");
                continue;
            }
            int[] removed = values.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            current = ChannelSurgery.remove(current, chain, removed, values);
            changes.add("removed " + removed.length + " of " + chain.channels() + " units of " + layer
                    + " (all-zero weights), " + Patterns.where(chain.consumer()) + " reads " + (chain.channels()
                    - removed.length) + (values.values().stream().anyMatch(v -> v != null) ? "; their constant "
                    + "output is now part of its bias" : ""));
        }
        return new PassResult(current, changes);
    }
}
