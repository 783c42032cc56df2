package dev.nabla.examples.inference;

import dev.nabla.Tensor;
import dev.nabla.data.Dataset;
import dev.nabla.inference.Slimming;
import dev.nabla.inference.format.ModelFile;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphStats;
import dev.nabla.inference.runtime.Predictor;
import dev.nabla.nn.Module;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** One report entry per stage, and the table the terminal shows. */
final class StageReport {
    private StageReport() {
    }

    /** The eager model: its own forward for accuracy and latency; the traced graph for size and operations. */
    static Map<String, Object> eager(Module model, long params, Graph captured, Dataset test, int runs) {
        UnaryOperator<Tensor> f = model::call;
        Map<String, Object> e = common("eager", params, captured, f, test, runs);
        e.put("exact", true);
        return e;
    }

    static Map<String, Object> stage(Slimming.Stage stage, UnaryOperator<Tensor> eager, Dataset test, int runs) {
        Predictor predictor = Predictor.of(stage.graph());
        UnaryOperator<Tensor> f = predictor::predict;
        Map<String, Object> e = common(stage.name(), GraphStats.parameters(stage.graph()), stage.graph(), f, test, runs);
        e.put("exact", stage.exact());
        if (stage.exact()) {
            Measurements.Difference d = Measurements.difference(eager, f, test);
            e.put("max_abs_diff_vs_eager", d.maxAbs());
            e.put("max_rel_diff_vs_eager", d.relative());
        }
        if (!Double.isNaN(stage.heldOutAccuracy())) {
            e.put("held_out_accuracy", stage.heldOutAccuracy());
        }
        e.put("accepted", stage.accepted());
        if (!stage.accepted()) {
            e.put("refused", stage.refused());
        }
        e.put("changes", stage.changes());
        return e;
    }

    private static Map<String, Object> common(String name, long params, Graph graph, UnaryOperator<Tensor> f,
                                              Dataset test, int runs) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("params", params);
        e.put("file_bytes", ModelFile.toBytes(graph, Map.of()).length);
        e.put("mflops_per_sample", GraphStats.flopsPerSample(graph) / 1e6);
        e.put("test_accuracy", Measurements.accuracy(f, test));
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("batch1", latency(f, 1, runs));
        latency.put("batch256", latency(f, 256, Math.max(10, runs / 10)));
        e.put("latency_ms", latency);
        return e;
    }

    private static Map<String, Object> latency(UnaryOperator<Tensor> f, int batch, int runs) {
        Measurements.Latency l = Measurements.latency(f, Tensor.rand(batch, 1, 28, 28), runs / 2, runs);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", l.p50());
        m.put("p99", l.p99());
        return m;
    }

    /** The before/after table: one row per stage. */
    @SuppressWarnings("unchecked")
    static String table(List<Map<String, Object>> entries) {
        StringBuilder sb = new StringBuilder();
        String format = "%-8s %10s %11s %8s %9s %11s %11s %12s %12s %10s%n";
        sb.append(String.format(Locale.ROOT, format, "stage", "params", "file KB", "MFLOPs", "test acc",
                "b1 p50 ms", "b1 p99 ms", "b256 p50 ms", "b256 p99 ms", "rel diff"));
        for (Map<String, Object> e : entries) {
            Map<String, Object> latency = (Map<String, Object>) e.get("latency_ms");
            Map<String, Object> b1 = (Map<String, Object>) latency.get("batch1");
            Map<String, Object> b256 = (Map<String, Object>) latency.get("batch256");
            Object diff = e.get("max_rel_diff_vs_eager");
            String name = (String) e.get("name") + (Boolean.FALSE.equals(e.get("accepted")) ? "*" : "");
            sb.append(String.format(Locale.ROOT, format, name, String.format(Locale.ROOT, "%,d", (Long) e.get("params")),
                    String.format(Locale.ROOT, "%,.1f", ((Number) e.get("file_bytes")).doubleValue() / 1024),
                    String.format(Locale.ROOT, "%.2f", (Double) e.get("mflops_per_sample")),
                    String.format(Locale.ROOT, "%.4f", (Double) e.get("test_accuracy")),
                    ms(b1.get("p50")), ms(b1.get("p99")), ms(b256.get("p50")), ms(b256.get("p99")),
                    diff == null ? "-" : String.format(Locale.ROOT, "%.1e", (Double) diff)));
        }
        if (entries.stream().anyMatch(e -> Boolean.FALSE.equals(e.get("accepted")))) {
            sb.append("* refused by the accuracy gate; the stage before it is the result\n");
        }
        return sb.toString();
    }

    private static String ms(Object value) {
        double v = ((Number) value).doubleValue();
        return String.format(Locale.ROOT, v < 1 ? "%.3f" : "%.2f", v);
    }
}
