package dev.nabla.inference;

import dev.nabla.Tensor;
import dev.nabla.inference.calibration.ActivationRanges;
import dev.nabla.inference.calibration.ChannelStatistics;
import dev.nabla.inference.capture.GraphCapture;
import dev.nabla.inference.channels.ChannelChain;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.passes.DeadCodeElimination;
import dev.nabla.inference.passes.DeadUnitRemoval;
import dev.nabla.inference.passes.IdentityRemoval;
import dev.nabla.inference.passes.PassManager;
import dev.nabla.inference.passes.Pipelines;
import dev.nabla.inference.passes.PruningCriterion;
import dev.nabla.inference.passes.StructuredPruning;
import dev.nabla.inference.passes.WeightQuantization;
import dev.nabla.nn.Module;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The inference compiler's pipeline from a trained model to a slim graph, stage by stage:
 * <ol>
 *   <li>{@code captured}: the model traced to a graph ({@link GraphCapture});</li>
 *   <li>{@code exact}: the exact passes ({@link Pipelines#exact()}): same outputs, fewer and fused ops;</li>
 *   <li>{@code pruned} (with calibration data and a pruning ratio or an accuracy budget): units that never activate
 *       and the least important channels removed, optionally fine-tuned;</li>
 *   <li>{@code int8} (if asked): weights stored as int8, and with calibration data the inputs of linear layers
 *       quantized to int8 for int8 arithmetic.</li>
 * </ol>
 * Each data-driven stage passes an accuracy gate: its accuracy on held-out data (which the caller's
 * {@link Evaluator} measures, never on the calibration data) may fall at most {@code budget} points below the
 * captured model's; a stage that falls further is refused and the stage before it is kept. With an accuracy budget
 * instead of a ratio, the largest pruning ratio on a 0.05 grid that passes the gate is searched.
 */
public final class Slimming {
    /** Pruning ratios a search under an accuracy budget chooses from, ascending. */
    static final double[] SEARCH = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8,
            0.85, 0.9};

    /** Accuracy of a graph on held-out data, in [0, 1]. */
    @FunctionalInterface
    public interface Evaluator {
        double accuracy(Graph graph);
    }

    /**
     * Fine-tunes a pruned graph's weights (e.g. a {@code GraphModule} with the trainer) and returns the trained graph;
     * {@code teacher} is the exact stage, for distillation.
     */
    @FunctionalInterface
    public interface FineTuner {
        Graph fineTune(Graph graph, Graph teacher);
    }

    /**
     * One stage's graph, what made it, whether it computes exactly what the model does, its held-out accuracy (NaN
     * where not measured) and, for a stage that failed the gate, why it was refused (null otherwise).
     */
    public record Stage(String name, Graph graph, boolean exact, List<String> changes, double heldOutAccuracy,
                        String refused) {
        public boolean accepted() {
            return refused == null;
        }
    }

    private final Module model;
    private final Tensor example;
    private List<Tensor> calibration = List.of();
    private Evaluator evaluator;
    private double budgetPoints = 0.5;
    private double ratio = -1;
    private Map<String, Double> perLayer = Map.of();
    private boolean searchRatio;
    private PruningCriterion criterion = PruningCriterion.CONTRIBUTION;
    private FineTuner fineTuner;
    private boolean int8;
    private ActivationRanges.Method int8Ranges = ActivationRanges.Method.PERCENTILE;
    private double int8Percentile = 99.99;
    private Consumer<String> log = s -> { };

    private Slimming(Module model, Tensor example) {
        this.model = model;
        this.example = example;
    }

    /** A pipeline for {@code model}, traced on inputs shaped like {@code example}. */
    public static Slimming of(Module model, Tensor example) {
        return new Slimming(Objects.requireNonNull(model, "model"), Objects.requireNonNull(example, "example"));
    }

    /** Batches of inputs the data-driven passes gather their statistics on. */
    public Slimming calibration(List<Tensor> batches) {
        this.calibration = List.copyOf(batches);
        return this;
    }

    /** The held-out accuracy every data-driven stage is gated on. */
    public Slimming heldOut(Evaluator evaluator) {
        this.evaluator = evaluator;
        return this;
    }

    /** Points of held-out accuracy a data-driven stage may lose against the captured model (default 0.5). */
    public Slimming budget(double points) {
        if (!(points >= 0) || Double.isInfinite(points)) {
            throw new IllegalArgumentException("accuracy budget must be a non-negative number of points, found " + points);
        }
        this.budgetPoints = points;
        return this;
    }

    /** Removes this share of every prunable layer's channels. */
    public Slimming prune(double ratio) {
        return prune(ratio, Map.of());
    }

    /** Removes {@code ratio} of every prunable layer's channels, except where {@code perLayer} (by module path) says. */
    public Slimming prune(double ratio, Map<String, Double> perLayer) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("pruning ratio must be in [0, 1), found " + ratio);
        }
        this.ratio = ratio;
        this.perLayer = Map.copyOf(perLayer);
        this.searchRatio = false;
        return this;
    }

    /** Searches the largest pruning ratio whose stage stays within the budget. */
    public Slimming pruneWithinBudget() {
        this.searchRatio = true;
        return this;
    }

    public Slimming criterion(PruningCriterion criterion) {
        this.criterion = Objects.requireNonNull(criterion, "criterion");
        return this;
    }

    /** Fine-tunes each pruned candidate before it is measured. */
    public Slimming fineTune(FineTuner fineTuner) {
        this.fineTuner = fineTuner;
        return this;
    }

    public Slimming int8(boolean enabled) {
        this.int8 = enabled;
        return this;
    }

    /**
     * How the int8 stage scales linear layers' inputs from the calibration data: the largest magnitude, or a
     * percentile of the magnitudes (default: the 99.99th).
     */
    public Slimming int8Ranges(ActivationRanges.Method method, double percentile) {
        this.int8Ranges = Objects.requireNonNull(method, "method");
        this.int8Percentile = percentile;
        return this;
    }

    /** Progress lines ("pruning 30% ..."). */
    public Slimming log(Consumer<String> log) {
        this.log = Objects.requireNonNull(log, "log");
        return this;
    }

    /** Runs every stage asked for; the last accepted stage is the result. */
    public List<Stage> run() {
        List<Stage> stages = new ArrayList<>();
        log.accept("tracing the model");
        Graph captured = GraphCapture.trace(model, example);
        double capturedAccuracy = evaluator == null ? Double.NaN : evaluator.accuracy(captured);
        stages.add(new Stage("captured", captured, true, List.of(), capturedAccuracy, null));

        log.accept("running the exact passes");
        PassManager.Result exact = new PassManager(Pipelines.exact(), false).run(captured);
        Graph current = exact.graph();
        stages.add(new Stage("exact", current, true, exact.changes(), Double.NaN, null));

        if (ratio >= 0 || searchRatio) {
            Stage pruned = prune(captured, current, capturedAccuracy);
            stages.add(pruned);
            if (pruned.accepted()) {
                current = pruned.graph();
            }
        }
        if (int8) {
            log.accept("quantizing weights to int8");
            var q = (calibration.isEmpty() ? new WeightQuantization()
                    : new WeightQuantization(calibration, int8Ranges, int8Percentile)).run(current);
            double accuracy = evaluator == null ? Double.NaN : evaluator.accuracy(q.graph());
            stages.add(new Stage("int8", q.graph(), false, q.changes(), accuracy, gate(accuracy, capturedAccuracy)));
        }
        return stages;
    }

    /** The last stage that passed its gate. */
    public static Stage result(List<Stage> stages) {
        for (int i = stages.size() - 1; i >= 0; i--) {
            if (stages.get(i).accepted()) {
                return stages.get(i);
            }
        }
        throw new IllegalStateException("no stage was accepted");
    }

    private Stage prune(Graph captured, Graph exact, double capturedAccuracy) {
        if (calibration.isEmpty()) {
            throw new IllegalStateException("pruning needs calibration data");
        }
        if (searchRatio && evaluator == null) {
            throw new IllegalStateException("searching a pruning ratio needs held-out data to measure it on");
        }
        log.accept("removing units that never activate on " + calibrationSize() + " calibration samples");
        var dead = new DeadUnitRemoval(statistics(exact)).run(exact);
        Graph base = dead.graph();
        if (!searchRatio) {
            return candidate(captured, exact, base, dead.changes(), ratio, capturedAccuracy);
        }
        // binary search on the grid, taking accuracy to fall as the ratio grows: about log2(18) = 5 candidates,
        // each fine-tuned if asked
        Stage best = null;
        int lo = -1;
        int hi = SEARCH.length;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            Stage s = candidate(captured, exact, base, dead.changes(), SEARCH[mid], capturedAccuracy);
            log.accept(String.format(Locale.ROOT, "pruning %.0f%%: held-out accuracy %.4f (captured %.4f)%s",
                    100 * SEARCH[mid], s.heldOutAccuracy(), capturedAccuracy, s.accepted() ? "" : ", over the budget"));
            if (s.accepted()) {
                best = s;
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (best == null) {
            Stage none = candidate(captured, exact, base, dead.changes(), 0, capturedAccuracy);
            return none.accepted() ? none : new Stage("pruned", none.graph(), false, none.changes(),
                    none.heldOutAccuracy(), "even removing only dead units loses more than the budget");
        }
        return best;
    }

    /** {@code base} pruned by {@code r} (and fine-tuned toward {@code exact} if asked), measured and gated. */
    private Stage candidate(Graph captured, Graph exact, Graph base, List<String> deadChanges, double r,
                            double capturedAccuracy) {
        List<String> changes = new ArrayList<>(deadChanges);
        Graph g = base;
        if (r > 0 || !searchRatio && !perLayer.isEmpty()) {
            var pruned = new StructuredPruning(r, searchRatio ? Map.of() : perLayer, criterion, statistics(base), captured)
                    .run(base);
            changes.addAll(pruned.changes());
            g = pruned.graph();
        }
        g = new IdentityRemoval().run(new DeadCodeElimination().run(g).graph()).graph();
        if (fineTuner != null) {
            log.accept(searchRatio ? String.format(Locale.ROOT, "fine-tuning the model pruned by %.0f%%", 100 * r)
                    : "fine-tuning the pruned model");
            g = fineTuner.fineTune(g, exact);
            changes.add("fine-tuned the pruned model");
        }
        double accuracy = evaluator == null ? Double.NaN : evaluator.accuracy(g);
        return new Stage("pruned", g, false, changes, accuracy, gate(accuracy, capturedAccuracy));
    }

    private ChannelStatistics statistics(Graph graph) {
        return ChannelStatistics.collect(graph, ChannelChain.all(graph), calibration);
    }

    private int calibrationSize() {
        return calibration.stream().mapToInt(t -> t.size(0)).sum();
    }

    /** Null if {@code accuracy} is within the budget of the captured model's, else why not. */
    private String gate(double accuracy, double capturedAccuracy) {
        if (evaluator == null) {
            return null;
        }
        double lost = 100 * (capturedAccuracy - accuracy);
        return lost <= budgetPoints + 1e-9 ? null : String.format(Locale.ROOT,
                "held-out accuracy %.4f is %.2f points below the captured model's %.4f, more than the %.2f-point "
                        + "budget", accuracy, lost, capturedAccuracy, budgetPoints);
    }
}
