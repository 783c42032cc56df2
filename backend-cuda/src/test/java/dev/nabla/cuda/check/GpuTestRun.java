package dev.nabla.cuda.check;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every test class under {@code dev.nabla.cuda} without Maven and writes a JSON summary: the GPU machine
 * lent for checks has no Maven and no network, so {@code backend-cuda/gpu-check.sh} runs this with a JRE and the
 * jars {@code gpu-pack.sh} carried there.
 * <pre>
 * java -cp ... dev.nabla.cuda.check.GpuTestRun OUT.json [--exclude CLASS-NAME-REGEX]...
 * </pre>
 * The summary (tests found, succeeded, failed, skipped, aborted; skipped containers; every failure's and skip
 * reason's message; per class counts) is rewritten after each test class, so a run cut short by a timeout or a
 * crashing JVM still leaves what it had, with {@code "complete": false} and the class it was in. Exit status: 0 when
 * nothing failed, 1 when something failed, 2 on wrong usage, 3 when no test was found.
 */
public final class GpuTestRun {
    private static final int MAX_MESSAGE = 2000;
    private static final int MAX_LISTED = 200;

    private GpuTestRun() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: GpuTestRun OUT.json [--exclude CLASS-NAME-REGEX]...");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        List<String> excluded = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--exclude") && i + 1 < args.length) {
                excluded.add(args[++i]);
            } else {
                System.err.println("GpuTestRun: unknown argument " + args[i]);
                System.exit(2);
            }
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectPackage("dev.nabla.cuda"));
        if (!excluded.isEmpty()) {
            request.filters(ClassNameFilter.excludeClassNamePatterns(excluded.toArray(String[]::new)));
        }
        LauncherDiscoveryRequest discovery = request.build();
        Summary summary = new Summary(out, excluded);
        Launcher launcher = LauncherFactory.create();
        launcher.execute(discovery, summary);
        summary.finish();
        System.out.printf(Locale.ROOT, "GpuTestRun: %d tests found, %d succeeded, %d failed, %d skipped, %d aborted "
                        + "(%d classes skipped whole); summary in %s%n", summary.found, summary.succeeded,
                summary.failed, summary.skipped, summary.aborted, summary.skippedContainers.size(), out);
        if (summary.found == 0) {
            System.out.println("GpuTestRun: no test found under dev.nabla.cuda: is the test jar on the class path?");
            System.exit(3);
        }
        System.exit(summary.failed > 0 ? 1 : 0);
    }

    /** Counts per test and per class, and the messages; writes itself as JSON. */
    private static final class Summary implements TestExecutionListener {
        private final Path out;
        private final List<String> excluded;
        private final String started = Instant.now().toString();
        private final long startNanos = System.nanoTime();
        private TestPlan plan;
        private long found;
        private long succeeded;
        private long failed;
        private long skipped;
        private long aborted;
        private String running;
        private boolean complete;
        private final List<Map<String, Object>> failures = new ArrayList<>();
        private final List<Map<String, Object>> skippedContainers = new ArrayList<>();
        private final Map<String, long[]> perClass = new LinkedHashMap<>(); // succeeded, failed, skipped, aborted
        private final Map<String, Integer> skipReasons = new LinkedHashMap<>();

        Summary(Path out, List<String> excluded) {
            this.out = out;
            this.excluded = excluded;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
            found = testPlan.countTestIdentifiers(TestIdentifier::isTest);
            write();
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            className(id).filter(c -> id.isContainer() && !c.equals(running)).ifPresent(c -> {
                running = c;
                System.out.println("GpuTestRun: " + c);
                System.out.flush();
            });
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            long tests = plan.countTestIdentifiers(t -> t.isTest() && isWithin(t, id));
            if (id.isTest()) {
                tests = 1;
            } else {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("name", name(id));
                entry.put("tests", tests);
                entry.put("reason", clip(reason));
                if (skippedContainers.size() < MAX_LISTED) {
                    skippedContainers.add(entry);
                }
            }
            skipped += tests;
            counts(id)[2] += tests;
            skipReasons.merge(clip(reason), (int) tests, Integer::sum);
            if (className(id).isPresent() && id.getSource().orElse(null) instanceof ClassSource) {
                write();
            }
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            Throwable error = result.getThrowable().orElse(null);
            switch (result.getStatus()) {
                case SUCCESSFUL -> {
                    if (id.isTest()) {
                        succeeded++;
                        counts(id)[0]++;
                    }
                }
                case FAILED -> {
                    if (id.isTest()) {
                        failed++;
                        counts(id)[1]++;
                    }
                    // a failing container (e.g. @BeforeAll) is listed too: its tests then do not run
                    if (failures.size() < MAX_LISTED) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("name", name(id));
                        entry.put("container", id.isContainer());
                        entry.put("message", error == null ? "" : clip(error.toString()));
                        entry.put("at", error == null ? "" : clip(firstFrames(error)));
                        failures.add(entry);
                    }
                    if (id.isContainer() && !id.isTest()) {
                        long inside = plan.countTestIdentifiers(t -> t.isTest() && isWithin(t, id));
                        System.out.println("GpuTestRun: FAILED container " + name(id) + " (" + inside + " tests)");
                    }
                }
                case ABORTED -> {
                    if (id.isTest()) {
                        aborted++;
                        counts(id)[3]++;
                        skipReasons.merge(clip(error == null ? "aborted" : error.getMessage()), 1, Integer::sum);
                    }
                }
            }
            if (id.getSource().orElse(null) instanceof ClassSource) {
                write();
            }
        }

        void finish() {
            complete = true;
            running = null;
            write();
        }

        private boolean isWithin(TestIdentifier t, TestIdentifier container) {
            Optional<TestIdentifier> p = Optional.of(t);
            while (p.isPresent()) {
                if (p.get().getUniqueIdObject().equals(container.getUniqueIdObject())) {
                    return true;
                }
                p = plan.getParent(p.get());
            }
            return false;
        }

        private long[] counts(TestIdentifier id) {
            return perClass.computeIfAbsent(className(id).orElse("?"), k -> new long[4]);
        }

        /** The outermost class a test or container belongs to. */
        private Optional<String> className(TestIdentifier id) {
            String found = null;
            Optional<TestIdentifier> p = Optional.of(id);
            while (p.isPresent()) {
                if (p.get().getSource().orElse(null) instanceof ClassSource cs) {
                    found = cs.getClassName();
                }
                p = plan.getParent(p.get());
            }
            return Optional.ofNullable(found);
        }

        private String name(TestIdentifier id) {
            String cls = className(id).orElse("");
            String simple = cls.substring(cls.lastIndexOf('.') + 1);
            if (id.getSource().orElse(null) instanceof ClassSource cs && cs.getClassName().equals(cls)) {
                return cls;
            }
            return simple + " > " + id.getDisplayName();
        }

        private static String firstFrames(Throwable e) {
            StringWriter s = new StringWriter();
            e.printStackTrace(new PrintWriter(s));
            String[] lines = s.toString().split("\n");
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < Math.min(lines.length, 6); i++) {
                b.append(lines[i].trim()).append('\n');
            }
            return b.toString().trim();
        }

        private static String clip(String s) {
            if (s == null) {
                return "";
            }
            return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
        }

        private synchronized void write() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("complete", complete);
            json.put("running", running);
            json.put("started", started);
            json.put("seconds", (System.nanoTime() - startNanos) / 1e9);
            json.put("excluded_patterns", excluded);
            json.put("found", found);
            json.put("succeeded", succeeded);
            json.put("failed", failed);
            json.put("skipped", skipped);
            json.put("aborted", aborted);
            json.put("failures", failures);
            json.put("skip_reasons", skipReasons.entrySet().stream()
                    .map(e -> Map.<String, Object>of("reason", e.getKey(), "count", e.getValue())).toList());
            json.put("skipped_containers", skippedContainers);
            Map<String, Object> classes = new java.util.TreeMap<>();
            perClass.forEach((k, v) -> {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("succeeded", v[0]);
                c.put("failed", v[1]);
                c.put("skipped", v[2]);
                c.put("aborted", v[3]);
                classes.put(k, c);
            });
            json.put("classes", classes);
            StringBuilder b = new StringBuilder();
            append(b, json, "");
            b.append('\n');
            try {
                Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
                Files.writeString(tmp, b, StandardCharsets.UTF_8);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                System.err.println("GpuTestRun: cannot write " + out + ": " + e);
            }
        }

        private static void append(StringBuilder b, Object v, String indent) {
            if (v == null) {
                b.append("null");
            } else if (v instanceof String s) {
                quote(b, s);
            } else if (v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else if (v instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(indent).append("  ");
                    quote(b, String.valueOf(e.getKey()));
                    b.append(": ");
                    append(b, e.getValue(), indent + "  ");
                    b.append(++i < m.size() ? ",\n" : "\n");
                }
                b.append(indent).append('}');
            } else if (v instanceof List<?> l) {
                if (l.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    b.append(indent).append("  ");
                    append(b, l.get(i), indent + "  ");
                    b.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                b.append(indent).append(']');
            } else {
                quote(b, v.toString());
            }
        }

        private static void quote(StringBuilder b, String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }
    }
}
