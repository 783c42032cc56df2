package dev.nabla.benchmarks;

import dev.nabla.io.Json;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns a JMH JSON result file into a Markdown table (with GFLOP/s, GB/s, ratios to the machine's FP32
 * peak and the reference numbers of issue #4) and a PNG chart; optionally splices the table into a
 * Markdown document between {@code <!-- results:begin -->} and {@code <!-- results:end -->}.
 *
 * <pre>
 * java -cp benchmarks.jar dev.nabla.benchmarks.Report RESULT.json OUT.md OUT.png
 *      [--label TEXT] [--splice docs/benchmarks.md --chart-link ../benchmarks/results/latest.png]
 *      [--also MORE.json]... [--merged ALL.json]
 * </pre>
 * {@code --also} adds the results of further JMH runs (e.g. run with other settings); {@code --merged}
 * writes all of them as one JMH-style JSON array.
 */
public final class Report {
    /** OpenBLAS 0.3.21 sgemm, best kernel (SkylakeX), 2 threads, on the reference machine (issue #4). */
    static final Map<Integer, Double> OPENBLAS_2T = Map.of(256, 257.0, 512, 299.0, 1024, 361.0, 2048, 367.0);
    /** PyTorch 2.7 CPU (through DJL), 2 threads, Fashion-MNIST epoch in seconds (issue #4). */
    static final Map<String, Double> PYTORCH_EPOCH_S = Map.of("fashion-mlp", 1.3, "fashion-cnn", 24.5);
    /** Issue #4 targets for one epoch, seconds, 2 threads. */
    static final Map<String, Double> TARGET_EPOCH_S = Map.of("fashion-mlp", 1.0, "fashion-cnn", 12.0);
    static final String PKG = "dev.nabla.benchmarks.";
    static final String BEGIN = "<!-- results:begin -->";
    static final String END = "<!-- results:end -->";

    private Report() {
    }

    /** One JMH result: benchmark class and method, parameters, seconds per operation. */
    /** One result; {@code allocatedBytes} is JMH's {@code gc.alloc.rate.norm} (bytes per op) when run with -prof gc. */
    record Row(String bench, String method, Map<String, String> params, double seconds, double errorSeconds,
               double score, double error, String unit, double allocatedBytes) {
        String p(String name) {
            String v = params.get(name);
            if (v == null) {
                throw new IllegalArgumentException(bench + "." + method + " has no parameter " + name);
            }
            return v;
        }

        int threads() {
            return Integer.parseInt(params.getOrDefault("threads", "0"));
        }

        /** The score as JMH printed it, with its error where there is one. */
        String time() {
            String u = unit.replace("/op", "").replace("us", "µs");
            return Double.isNaN(error) || error == 0
                    ? fmt(score) + " " + u
                    : fmt(score) + " ± " + fmt(error) + " " + u;
        }
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length < 3) {
            System.err.println("usage: Report RESULT.json OUT.md OUT.png [--label TEXT] [--splice DOC.md --chart-link PATH]"
                    + " [--also MORE.json]... [--merged ALL.json]");
            System.exit(2);
        }
        Path json = Path.of(args[0]);
        Path md = Path.of(args[1]);
        Path png = Path.of(args[2]);
        String label = null;
        Path splice = null;
        String chartLink = null;
        List<Path> also = new ArrayList<>();
        Path merged = null;
        for (int i = 3; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--label" -> label = value;
                case "--splice" -> splice = Path.of(value);
                case "--chart-link" -> chartLink = value;
                case "--also" -> also.add(Path.of(value));
                case "--merged" -> merged = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Object> results = new ArrayList<>((List<?>) Json.parse(Files.readString(json, StandardCharsets.UTF_8)));
        for (Path more : also) {
            results.addAll((List<?>) Json.parse(Files.readString(more, StandardCharsets.UTF_8)));
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException(json + " holds no results");
        }
        if (merged != null) {
            Files.writeString(merged, Json.writePretty(results) + "\n", StandardCharsets.UTF_8);
            json = merged;
        }
        List<Row> rows = new ArrayList<>();
        for (Object o : results) {
            rows.add(row((Map<?, ?>) o));
        }
        String header = header(results, json, label);
        String body = tables(rows);
        Files.createDirectories(md.toAbsolutePath().getParent());
        Files.writeString(md, header + "\n![GEMM throughput and epoch times](" + png.getFileName() + ")\n\n" + body,
                StandardCharsets.UTF_8);
        chart(rows, png);
        if (splice != null) {
            String link = chartLink != null ? chartLink : png.toString();
            spliceInto(splice, header + "\n![GEMM throughput and epoch times](" + link + ")\n\n" + body);
        }
        System.out.println("wrote " + md + " and " + png + (splice != null ? " and updated " + splice : ""));
    }

    // ------------------------------------------------------------------ parsing

    static Row row(Map<?, ?> r) {
        String full = (String) r.get("benchmark");
        String rest = full.startsWith(PKG) ? full.substring(PKG.length()) : full;
        int dot = rest.lastIndexOf('.');
        Map<String, String> params = new TreeMap<>();
        if (r.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<?, ?> metric = (Map<?, ?>) r.get("primaryMetric");
        double score = number(metric.get("score"));
        double error = number(metric.get("scoreError"));
        String unit = (String) metric.get("scoreUnit");
        double perSecond = unitSeconds(unit);
        return new Row(rest.substring(0, dot), rest.substring(dot + 1), params, score * perSecond,
                error * perSecond, score, error, unit, allocatedPerOp(r));
    }

    /** The GC profiler's bytes allocated per op (its key has a leading middle dot in older JMH versions), or NaN. */
    static double allocatedPerOp(Map<?, ?> r) {
        if (r.get("secondaryMetrics") instanceof Map<?, ?> secondary) {
            for (String key : List.of("gc.alloc.rate.norm", "\u00b7gc.alloc.rate.norm")) {
                if (secondary.get(key) instanceof Map<?, ?> m) {
                    return number(m.get("score"));
                }
            }
        }
        return Double.NaN;
    }

    /** Bytes as kB, or "-" when not measured (a run without the GC profiler). */
    static String kilobytes(double bytes) {
        return Double.isNaN(bytes) ? "-" : fmt(bytes / 1024) + " kB";
    }

    static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return o == null ? Double.NaN : Double.parseDouble(String.valueOf(o)); // JMH writes "NaN" as a string
    }

    /** Seconds in one unit of an average-time score such as "us/op". */
    static double unitSeconds(String unit) {
        String u = unit.endsWith("/op") ? unit.substring(0, unit.length() - 3) : unit;
        return switch (u) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us" -> 1e-6;
            case "ns" -> 1e-9;
            default -> throw new IllegalArgumentException("expected an average-time unit (s|ms|us|ns/op), found "
                    + unit + " (run the benchmarks in their default mode, -bm avgt)");
        };
    }

    // ------------------------------------------------------------------ Markdown

    static String header(List<?> results, Path json, String label) {
        Map<?, ?> first = (Map<?, ?>) results.get(0);
        StringBuilder sb = new StringBuilder();
        if (label != null && !label.isBlank()) {
            sb.append("**").append(label).append("**\n\n");
        }
        // Run settings, grouped by benchmark class when they differ (e.g. longer iterations for training steps).
        Map<String, List<String>> settings = new LinkedHashMap<>();
        for (Object o : results) {
            Map<?, ?> r = (Map<?, ?>) o;
            String s = r.get("forks") + " fork(s), " + r.get("warmupIterations") + " x " + r.get("warmupTime")
                    + " warm-up, " + r.get("measurementIterations") + " x " + r.get("measurementTime") + " measurement";
            String full = (String) r.get("benchmark");
            String cls = full.substring(0, full.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            List<String> classes = settings.computeIfAbsent(s, k -> new ArrayList<>());
            if (!classes.contains(cls)) {
                classes.add(cls);
            }
        }
        StringBuilder runs = new StringBuilder();
        for (var e : settings.entrySet()) {
            if (!runs.isEmpty()) {
                runs.append("; ");
            }
            runs.append(e.getKey());
            if (settings.size() > 1) {
                runs.append(" (").append(String.join(", ", e.getValue())).append(')');
            }
        }
        sb.append("JMH ").append(first.get("jmhVersion"))
                .append(", ").append(first.get("vmName")).append(' ').append(first.get("jdkVersion"))
                .append(", average time per operation; ").append(runs)
                .append("; JVM flags `").append(String.join(" ", strings(first.get("jvmArgs")))).append("`")
                .append("; raw results `").append(json.getFileName()).append("`.\n")
                .append("Times are averages per operation (± the 99.9% confidence half-width when JMH could compute one). "
                        + "% peak is against the FP32 FMA peak of the reference machine at the same thread count "
                        + "(228 GFLOP/s one core, 415 two cores).\n");
        return sb.toString();
    }

    static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                out.add(String.valueOf(x));
            }
        }
        return out;
    }

    static String tables(List<Row> rows) {
        StringBuilder sb = new StringBuilder();

        List<Row> square = select(rows, "GemmBenchmark", "square",
                Comparator.comparingInt((Row r) -> Integer.parseInt(r.p("n"))).thenComparingInt(Row::threads));
        if (!square.isEmpty()) {
            sb.append("\n### GEMM, square (FLOAT32, backend SPI)\n\n");
            sb.append("| n | threads | time | GFLOP/s | % peak | OpenBLAS best, 2 thr (GFLOP/s) |\n|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : square) {
                int n = Integer.parseInt(r.p("n"));
                double gf = Workloads.square(n).flops() / r.seconds / 1e9;
                Double blas = OPENBLAS_2T.get(n);
                sb.append(cells(n, r.threads(), r.time(), fmt(gf), pct(gf, r.threads()),
                        blas == null || r.threads() != 2 ? "" : fmt(blas) + " (Nabla " + ratio(gf / blas) + ")"));
            }
        }

        List<Row> layers = select(rows, "GemmBenchmark", "layer",
                Comparator.comparingInt((Row r) -> order(Workloads.LAYER_GEMMS.keySet(), r.p("product")))
                        .thenComparingInt(Row::threads));
        if (!layers.isEmpty()) {
            sb.append("\n### GEMM, example-model shapes (batch 128, operands as autograd lays them out)\n\n");
            sb.append("| product | shape | threads | time | GFLOP/s | % peak |\n|---|---|---:|---:|---:|---:|\n");
            for (Row r : layers) {
                Workloads.Gemm g = Workloads.LAYER_GEMMS.get(r.p("product"));
                double gf = g.flops() / r.seconds / 1e9;
                sb.append(cells("`" + g.name() + "` " + g.meaning(), g.dims(), r.threads(), r.time(), fmt(gf),
                        pct(gf, r.threads())));
            }
        }

        List<Row> conv = select(rows, "ConvBenchmark", null,
                Comparator.comparing((Row r) -> r.p("layer")).thenComparingInt(r -> passOrder(r.method()))
                        .thenComparingInt(Row::threads));
        if (!conv.isEmpty()) {
            sb.append("\n### Convolution (`Functional.conv2d` + autograd, batch 128, 3x3 pad 1)\n\n");
            sb.append("| layer | pass | threads | time | GFLOP/s | % peak |\n|---|---|---:|---:|---:|---:|\n");
            for (Row r : conv) {
                Workloads.Conv c = Workloads.CONVS.get(r.p("layer"));
                double gf = c.flops() / r.seconds / 1e9;
                sb.append(cells(c.name() + " (" + c.dims() + ")", r.method(), r.threads(), r.time(), fmt(gf),
                        pct(gf, r.threads())));
            }
        }

        List<Row> elem = select(rows, "ElementwiseBenchmark", null,
                Comparator.comparing((Row r) -> r.p("op")).thenComparingInt(r -> Integer.parseInt(r.p("size")))
                        .thenComparingInt(Row::threads));
        if (!elem.isEmpty()) {
            sb.append("\n### Elementwise (FLOAT32, contiguous, backend SPI)\n\n");
            sb.append("| op | elements | threads | time | GB/s |\n|---|---:|---:|---:|---:|\n");
            for (Row r : elem) {
                long size = Long.parseLong(r.p("size"));
                double gbs = Workloads.elementwiseBytes(r.p("op"), size) / r.seconds / 1e9;
                sb.append(cells(r.p("op"), millions(size), r.threads(), r.time(), fmt(gbs)));
            }
        }

        List<Row> red = select(rows, "ReductionBenchmark", null,
                Comparator.comparing(Row::method).thenComparing(r -> r.params.getOrDefault("kind", ""))
                        .thenComparingInt(r -> r.params.containsKey("shape") ? Workloads.matrix(r.p("shape"))[0] : 0)
                        .thenComparingInt(Row::threads));
        if (!red.isEmpty()) {
            sb.append("\n### Reductions and softmax (FLOAT32)\n\n");
            sb.append("| op | shape | threads | time | GB/s |\n|---|---|---:|---:|---:|\n");
            for (Row r : red) {
                if (r.method().equals("softmax")) {
                    double gbs = Workloads.softmaxBytes() / r.seconds / 1e9;
                    sb.append(cells("softmax(dim 1) (tensor API)",
                            "[" + Workloads.SOFTMAX_ROWS + ", " + Workloads.SOFTMAX_COLS + "]", r.threads(), r.time(),
                            fmt(gbs)));
                } else {
                    double gbs = Workloads.reductionBytes(r.p("kind"), r.p("shape")) / r.seconds / 1e9;
                    int[] rc = Workloads.matrix(r.p("shape"));
                    sb.append(cells(r.p("kind"), "[" + rc[0] + ", " + rc[1] + "]", r.threads(), r.time(), fmt(gbs)));
                }
            }
        }

        List<Row> train = select(rows, "TrainingStepBenchmark", "step",
                Comparator.comparing((Row r) -> r.p("model")).reversed().thenComparingInt(Row::threads));
        if (!train.isEmpty()) {
            sb.append("\n### Training step (batch 128: forward, cross-entropy, backward, Adam; random data)\n\n");
            sb.append("| model | threads | time per step | allocated per step | epoch = " + Workloads.STEPS_PER_EPOCH
                    + " steps | PyTorch 2.7 epoch, 2 thr | target epoch |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : train) {
                String m = r.p("model");
                double epoch = r.seconds * Workloads.STEPS_PER_EPOCH;
                Double torch = PYTORCH_EPOCH_S.get(m);
                Double target = TARGET_EPOCH_S.get(m);
                sb.append(cells(m, r.threads(), r.time(), kilobytes(r.allocatedBytes()), fmt(epoch) + " s",
                        torch == null ? "" : fmt(torch) + " s (Nabla " + ratio(torch / epoch) + " as fast)",
                        target == null ? "" : "≤ " + fmt(target) + " s"));
            }
        }

        List<Row> cold = select(rows, "ColdEpochBenchmark", "epoch",
                Comparator.comparing((Row r) -> r.p("model")).reversed().thenComparingInt(Row::threads));
        if (!cold.isEmpty()) {
            sb.append("\n### First epoch in a fresh JVM (" + Workloads.STEPS_PER_EPOCH
                    + " steps, no warm-up: JIT compilation included, data loading not)\n\n");
            sb.append("| model | threads | epoch | steady state (469 x step above) | target epoch |\n|---|---:|---:|---:|---:|\n");
            for (Row r : cold) {
                String m = r.p("model");
                Double steady = train.stream().filter(t -> t.p("model").equals(m) && t.threads() == r.threads())
                        .map(t -> t.seconds * Workloads.STEPS_PER_EPOCH).findFirst().orElse(null);
                Double target = TARGET_EPOCH_S.get(m);
                sb.append(cells(m, r.threads(), r.time(), steady == null ? "" : fmt(steady) + " s",
                        target == null ? "" : "≤ " + fmt(target) + " s"));
            }
        }

        List<Row> inf = select(rows, "InferenceBenchmark", "forward",
                Comparator.comparing((Row r) -> r.p("model")).reversed()
                        .thenComparingInt(r -> Integer.parseInt(r.p("batch"))).thenComparingInt(Row::threads));
        if (!inf.isEmpty()) {
            sb.append("\n### Inference (forward only, `eval()`, `noGrad`)\n\n");
            sb.append("| model | batch | threads | latency | images/s |\n|---|---:|---:|---:|---:|\n");
            for (Row r : inf) {
                int batch = Integer.parseInt(r.p("batch"));
                sb.append(cells(r.p("model"), batch, r.threads(), r.time(), fmt(batch / r.seconds)));
            }
        }
        return sb.toString();
    }

    static List<Row> select(List<Row> rows, String bench, String method, Comparator<Row> order) {
        return rows.stream()
                .filter(r -> r.bench().equals(bench) && (method == null || r.method().equals(method)))
                .sorted(order).toList();
    }

    static int order(Iterable<String> keys, String key) {
        int i = 0;
        for (String k : keys) {
            if (k.equals(key)) {
                return i;
            }
            i++;
        }
        return i;
    }

    static int passOrder(String method) {
        return switch (method) {
            case "forward" -> 0;
            case "backwardData" -> 1;
            default -> 2;
        };
    }

    static String cells(Object... values) {
        StringBuilder sb = new StringBuilder("|");
        for (Object v : values) {
            sb.append(' ').append(v).append(" |");
        }
        return sb.append('\n').toString();
    }

    static String pct(double gflops, int threads) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * gflops / Workloads.peakGflops(threads));
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    static String millions(long n) {
        return n % (1 << 20) == 0 ? (n >> 20) + "M" : Long.toString(n);
    }

    /** Three significant digits, no exponent. */
    static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        } else if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        } else if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static void spliceInto(Path doc, String content) throws IOException {
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException(doc + " has no " + BEGIN + " ... " + END + " section to fill");
        }
        String updated = text.substring(0, b + BEGIN.length()) + "\n" + content + "\n" + text.substring(e);
        Files.writeString(doc, updated, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ chart

    static void chart(List<Row> rows, Path png) throws IOException {
        List<Chart<?, ?>> charts = new ArrayList<>();
        charts.add(gemmChart(rows));
        charts.add(epochChart(rows));
        Files.createDirectories(png.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(charts, 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    static CategoryChart gemmChart(List<Row> rows) {
        CategoryChart c = new CategoryChartBuilder().width(700).height(480).title("sgemm, square n x n x n")
                .xAxisTitle("n").yAxisTitle("GFLOP/s").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(450.0);
        c.getStyler().setYAxisDecimalPattern("#0");
        List<Row> square = select(rows, "GemmBenchmark", "square",
                Comparator.comparingInt((Row r) -> Integer.parseInt(r.p("n"))));
        List<Integer> ns = new ArrayList<>(new java.util.TreeSet<>(square.stream()
                .map(r -> Integer.parseInt(r.p("n"))).toList()));
        if (ns.isEmpty()) {
            ns = List.of(256, 512, 1024, 2048);
        }
        List<String> cats = ns.stream().map(String::valueOf).toList();
        for (int t : square.stream().map(Row::threads).distinct().sorted().toList()) {
            List<Number> ys = new ArrayList<>();
            for (int n : ns) {
                ys.add(square.stream().filter(r -> r.threads() == t && Integer.parseInt(r.p("n")) == n)
                        .map(r -> Workloads.square(n).flops() / r.seconds / 1e9).findFirst().orElse(0.0));
            }
            c.addSeries("Nabla, " + t + " thread" + (t == 1 ? "" : "s"), cats, ys);
        }
        List<Number> blas = new ArrayList<>();
        for (int n : ns) {
            blas.add(OPENBLAS_2T.getOrDefault(n, 0.0));
        }
        c.addSeries("OpenBLAS best kernel, 2 threads (0 = not measured)", cats, blas);
        for (int t : new int[]{1, 2}) {
            List<Number> peak = new ArrayList<>();
            for (int i = 0; i < ns.size(); i++) {
                peak.add(Workloads.peakGflops(t));
            }
            CategorySeries s = c.addSeries("FP32 peak, " + t + (t == 1 ? " core" : " cores"), cats, peak);
            s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(SeriesLines.DASH_DASH);
        }
        return c;
    }

    static CategoryChart epochChart(List<Row> rows) {
        CategoryChart c = new CategoryChartBuilder().width(700).height(480)
                .title("Fashion-MNIST epoch (469 steps of batch 128)").xAxisTitle("model").yAxisTitle("seconds (log)")
                .build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("#0.#");
        List<String> models = List.of("fashion-mlp", "fashion-cnn");
        Map<String, Function<String, Double>> series = new LinkedHashMap<>();
        List<Row> train = select(rows, "TrainingStepBenchmark", "step", Comparator.comparingInt(Row::threads));
        for (int t : train.stream().map(Row::threads).distinct().sorted().toList()) {
            series.put("Nabla, steady state, " + t + " thread" + (t == 1 ? "" : "s"), m -> train.stream()
                    .filter(r -> r.threads() == t && r.p("model").equals(m))
                    .map(r -> r.seconds * Workloads.STEPS_PER_EPOCH).findFirst().orElse(null));
        }
        List<Row> cold = select(rows, "ColdEpochBenchmark", "epoch", Comparator.comparingInt(Row::threads));
        for (int t : cold.stream().map(Row::threads).distinct().sorted().toList()) {
            series.put("Nabla, first epoch of a fresh JVM, " + t + " thread" + (t == 1 ? "" : "s"), m -> cold.stream()
                    .filter(r -> r.threads() == t && r.p("model").equals(m)).map(r -> r.seconds).findFirst().orElse(null));
        }
        series.put("PyTorch 2.7, 2 threads", PYTORCH_EPOCH_S::get);
        series.put("target (issue #4)", TARGET_EPOCH_S::get);
        for (var e : series.entrySet()) {
            List<Number> ys = new ArrayList<>();
            for (String m : models) {
                Double v = e.getValue().apply(m);
                ys.add(v == null ? 0.0 : v);
            }
            if (ys.stream().allMatch(v -> v.doubleValue() == 0)) {
                continue;
            }
            // Log axes cannot show 0: an unmeasured model is drawn at a tiny value.
            c.addSeries(e.getKey(), models, ys.stream().map(v -> v.doubleValue() == 0 ? (Number) 1e-3 : v).toList());
        }
        c.getStyler().setYAxisMin(0.1);
        return c;
    }
}
