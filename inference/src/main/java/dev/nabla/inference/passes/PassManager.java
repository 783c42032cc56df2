package dev.nabla.inference.passes;

import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.TypeInference;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a pipeline of passes in order and collects what each changed. With {@code verify}, each pass's result is
 * checked by re-deriving every type from the ops (a dry run at two batch sizes), so a pass that breaks the graph
 * fails at once with the pass's name instead of later.
 */
public final class PassManager {
    private final List<Pass> passes;
    private final boolean verify;

    public PassManager(List<Pass> passes, boolean verify) {
        this.passes = List.copyOf(passes);
        this.verify = verify;
    }

    /** One pass's entry in a pipeline's log. */
    public record Step(String pass, boolean exact, List<String> changes) {
    }

    /** The final graph and every pass's changes, in order. */
    public record Result(Graph graph, List<Step> steps) {
        /** Every change of every pass, prefixed by the pass's name. */
        public List<String> changes() {
            List<String> all = new ArrayList<>();
            for (Step s : steps) {
                for (String c : s.changes()) {
                    all.add(s.pass() + ": " + c);
                }
            }
            return all;
        }
    }

    public Result run(Graph graph) {
        List<Step> steps = new ArrayList<>();
        Graph current = graph;
        for (Pass pass : passes) {
            PassResult r = pass.run(current);
            current = r.graph();
            if (verify) {
                Graph retyped;
                try {
                    retyped = TypeInference.retype(current);
                } catch (RuntimeException e) {
                    throw new GraphException("pass '" + pass.name() + "' left a graph that does not run: " + e.getMessage(), e);
                }
                if (!retyped.toString().equals(current.toString())) {
                    throw new GraphException("pass '" + pass.name() + "' left types that the ops contradict:\n" + current
                            + "\nversus\n" + retyped);
                }
            }
            steps.add(new Step(pass.name(), pass.isExact(), r.changes()));
        }
        return new Result(current, steps);
    }
}
