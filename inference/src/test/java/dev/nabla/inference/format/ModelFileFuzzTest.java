package dev.nabla.inference.format;

import dev.nabla.DType;
import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.TestModels;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.Interpreter;
import dev.nabla.inference.graph.Value;
import dev.nabla.io.FileFormatException;
import dev.nabla.nn.Module;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of the loader: thousands of damaged versions of three valid model files (see
 * {@link Mutator}). Every mutant must either be refused with a {@link FileFormatException} whose message starts
 * with the file's path, or load as a graph equal to the original (same text, same outputs bit for bit); a mutant
 * of the resealed graph family may also load as another graph, which must then run with every value of its
 * declared type. Anything else (another exception, an error, a hang) fails the test. The outcomes are printed.
 */
class ModelFileFuzzTest {
    private static final long SEED = 20_240_611L;
    private static final int MUTANTS = 3600;

    /** A valid file and what loading it must give. */
    private record Original(String name, byte[] bytes, String text, Tensor input, Tensor output) {
    }

    @Test
    void everyMutantIsRefusedOrLoadsTheOriginalGraph() {
        List<Original> originals = new ArrayList<>();
        for (Module model : ModelFileRoundTripTest.models()) {
            Graph graph = ModelFileRoundTripTest.trace(model);
            Tensor x = TestModels.input(2, 77);
            originals.add(new Original(model.getClass().getSimpleName() + graph.constants().size(),
                    ModelFile.toBytes(graph, Map.of("name", "fuzz seed")), graph.toString(),
                    TensorScope.escape(x), TensorScope.escape(Interpreter.run(graph, x))));
        }
        Mutator mutator = new Mutator(SEED);
        Map<String, Integer> outcomes = new TreeMap<>();
        Map<Mutator.Family, Integer> loadedByFamily = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < MUTANTS; i++) {
                Original original = originals.get(i % originals.size());
                Mutator.Family family = Mutator.Family.values()[(i / originals.size()) % 3];
                Mutator.Mutant mutant = mutator.mutate(original.bytes(), family);
                Path file = Path.of("fuzz", family.name().toLowerCase() + "-" + i + ".nabla");
                String outcome;
                String detail = "";
                try (var scope = TensorScope.open()) {
                    LoadedModel loaded = ModelFile.read(file, mutant.bytes());
                    outcome = checkLoaded(original, loaded, family);
                    loadedByFamily.merge(family, 1, Integer::sum);
                } catch (FileFormatException e) {
                    outcome = e.getMessage().startsWith(file + ": ") ? "refused: " + category(e.getMessage()
                            .substring(file.toString().length() + 2)) : "FAIL: message does not start with the path";
                    detail = ": " + e.getMessage();
                } catch (Throwable t) { // errors too: an OutOfMemoryError or StackOverflowError is a finding
                    outcome = "FAIL: " + t.getClass().getSimpleName();
                    detail = ": " + t;
                }
                if (outcome.startsWith("FAIL") && failures.size() < 50) {
                    failures.add("#" + i + " " + original.name() + " " + family + " (" + mutant.description() + "): "
                            + outcome + detail);
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;

        StringBuilder report = new StringBuilder(String.format("model file fuzz: %d mutants of %d files in %.1f s "
                + "(seed %d); loaded by family %s%n", MUTANTS, originals.size(), seconds, SEED, loadedByFamily));
        outcomes.entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> report.append(String.format("%6d  %s%n", e.getValue(), e.getKey())));
        System.out.print(report);
        int failed = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("FAIL"))
                .mapToInt(Map.Entry::getValue).sum();
        if (failed > 0) {
            fail(failed + " mutant(s) broke the loader's contract:\n" + String.join("\n",
                    failures.subList(0, Math.min(20, failures.size()))));
        }
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.contains("does not run as declared")),
                "some mutants reach the dry run");
    }

    /** What a successful load must give: the original, or (resealed graphs only) a graph that runs as declared. */
    private static String checkLoaded(Original original, LoadedModel loaded, Mutator.Family family) {
        Graph graph = loaded.graph();
        if (graph.toString().equals(original.text())) {
            Tensor out = Interpreter.run(graph, original.input());
            TestModels.assertBitwiseEqual(original.output(), out, "a mutant that loads as the original graph");
            return "loaded: the original graph";
        }
        if (family != Mutator.Family.GRAPH) {
            fail("a " + family + " mutant loaded as a different graph:\n" + graph + "\ninstead of\n" + original.text());
        }
        // A resealed graph may be a different valid graph; it must then run as it declares.
        Nabla.manualSeed(5);
        List<Tensor> inputs = new ArrayList<>();
        for (Value in : graph.inputs()) {
            int[] shape = in.type().concrete(4);
            inputs.add(in.type().dtype().isFloatingPoint() ? Tensor.randn(shape).to(in.type().dtype())
                    : Tensor.zeros(in.type().dtype(), shape));
        }
        Interpreter.run(graph, inputs, true);
        return "loaded: another graph that runs as declared (resealed graph edits)";
    }

    /** The kind of refusal: the message with names, numbers, types and details dropped. */
    static String category(String problem) {
        String p = problem.replaceAll("'[^']*'", "'_'").replaceAll("\"[^\"]*\"", "\"_\"")
                .replaceAll("(f32|f64|i64|i32|bool)\\[[^\\]]*\\]", "TYPE")
                .replaceAll("(F32|F64|I64|I32|BOOL) \\[[^\\]]*\\]", "TYPE")
                .replaceAll("(?<![A-Za-z])\\d+(?![A-Za-z])", "N").replace("UTF-N", "UTF-8")
                .replaceAll("(constant )?node N( \\('_'\\))?:? ?(= \\w+ )?", "")
                .replaceAll("(graph|header): (op '_': )?", "$1: ");
        if (p.contains("is not valid JSON")) {
            return p.substring(0, p.indexOf("is not valid JSON") + 17);
        }
        int cut = Math.min(p.length(), 72);
        for (String end : new String[]{";", " (", ": expected", ", found", " found", ": graph", " but ", " at byte",
                " up to", " of the"}) {
            int at = p.indexOf(end, 8);
            if (at > 0) {
                cut = Math.min(cut, at);
            }
        }
        return p.substring(0, cut);
    }
}
