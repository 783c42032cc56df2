package dev.nabla.testkit;

import dev.nabla.DTypeException;
import dev.nabla.Nabla;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.FileFormatException;
import dev.nabla.io.Json;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Activation;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.LRScheduler;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.StepLR;
import dev.nabla.testkit.CheckpointMutator.Family;
import dev.nabla.testkit.CheckpointMutator.Mutant;
import dev.nabla.train.CheckpointEveryEpoch;
import dev.nabla.train.EpochResult;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded, time-bounded fuzzing of checkpoint loading (issue #14): thousands of mutants of one real checkpoint (see
 * {@link CheckpointMutator}) go through the four ways a checkpoint is loaded, in order: {@link SafeTensors#read},
 * {@link Module#loadStateDict} of its {@code model.*} tensors, {@link Optimizer#loadStateDict} of its
 * {@code optimizer.*} tensors and {@link Trainer#resumeFrom}. Each must either refuse with a typed exception (a
 * {@link FileFormatException} naming the file; for the two state-dict loaders, which know no file, an
 * {@link IllegalArgumentException}, {@link ShapeException} or {@link DTypeException} naming the key) and leave
 * every object exactly as it was, or load exactly what the file holds. A mutant whose damage nothing could repair
 * (RAW, HEADER) must load as the original, value for value. Anything else (another exception, an error, a hang, a
 * half-done load) fails with the seed and the mutation.
 *
 * <p>The objects under test start in the state of a second, different checkpoint (the decoy), so that a load that
 * writes part of a file before refusing it shows. Reproduce a reported mutant with
 * {@code -Dnabla.fuzz.seed=S -Dnabla.fuzz.mutant=I}; {@code nabla.fuzz.seconds} and {@code nabla.fuzz.mutants}
 * change the bounds.
 */
public abstract class CheckpointFuzzSuite extends BackendTestBase {
    @TempDir
    Path dir;

    static final long DEFAULT_FUZZ_SEED = 20_250_014L;
    static final int DEFAULT_SECONDS = 25;
    static final int DEFAULT_MAX_MUTANTS = 5000;
    /** Mutants tried even past the time budget (on a slow machine), so that the run never passes by doing little. */
    static final int MIN_MUTANTS = 1000;

    static final long DATA_SEED = 7;
    static final double LR = 0.02;
    static final double GAMMA = 0.5;
    static final int EPOCHS = 2;
    /** The generator's state before every attempt: neither checkpoint's, so a restore that ran shows. */
    static final long UNTOUCHED_RNG = 0x5EED_F00DL;

    private TensorDataset data;
    private Path originalFile;
    private Path decoyFile;
    private byte[] originalBytes;
    private SafeTensors.Content original;
    private SafeTensors.Content decoy;
    private Map<String, Object> originalRead;
    private State originalModule;
    private State originalOptimizer;
    private State originalResume;

    // Objects in the decoy's state; replaced (null) after anything but a refusal that was shown to change nothing.
    private Module moduleRig;
    private Optimizer optimizerRig;
    private Trainer resumeRig;

    // ------------------------------------------------------------------ the training the checkpoints come from

    /** Linear, BatchNorm (parameters and buffers, one of them INT64), ReLU, Linear: a few KB of checkpoint. */
    static Module model() {
        return new Sequential(new Linear(2, 4), new BatchNorm1d(4), Activation.relu(), new Linear(4, 3));
    }

    static Adam adam(Module model) {
        return new Adam(model.parameters(), LR);
    }

    /** Adam and StepLR(1, GAMMA) per epoch on 32 blobs in batches of 16: each epoch is two optimizer steps. */
    private Trainer trainer(int epochs, TrainingListener listener) {
        Module m = model();
        Adam a = adam(m);
        return Trainer.builder(m, a, new CrossEntropyLoss(), TrainerSuite.loader(data, DATA_SEED))
                .epochScheduler(new StepLR(a, 1, GAMMA)).epochs(epochs).listener(listener).build();
    }

    @BeforeEach
    void writeCheckpoints() throws IOException {
        data = TrainerSuite.blobs(11, 32);
        originalFile = dir.resolve("original.safetensors");
        decoyFile = dir.resolve("decoy.safetensors");
        Nabla.manualSeed(1);
        trainer(EPOCHS, new CheckpointEveryEpoch(originalFile)).fit();
        Nabla.manualSeed(2);
        trainer(1, new CheckpointEveryEpoch(decoyFile)).fit();
        withFixedTimings(originalFile);
        withFixedTimings(decoyFile);
        originalBytes = Files.readAllBytes(originalFile);
        original = SafeTensors.read(originalFile);
        decoy = SafeTensors.read(decoyFile);
        assertTrue(original.metadata().containsKey("history") && original.metadata().containsKey("scheduler")
                && original.tensors().containsKey("optimizer.state.5.exp_avg_sq"), () -> "a full checkpoint: "
                + original.tensors().keySet() + " " + original.metadata().keySet());

        originalRead = described(original);
        originalModule = expectedModuleLoad(prefixed(original.tensors(), "model."), model());
        originalOptimizer = expectedOptimizerLoad(prefixed(original.tensors(), "optimizer."));
        originalResume = expectedResume(original);
    }

    /**
     * The checkpoint with the wall-clock timings of its history fixed, so that every run mutates the same bytes and a
     * reported mutant reproduces.
     */
    private static void withFixedTimings(Path file) {
        SafeTensors.Content c = SafeTensors.read(file);
        History fixed = new History();
        for (EpochResult e : History.fromJson(c.metadata().get("history")).epochs()) {
            fixed.add(new EpochResult(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.validationLoss(),
                    e.validationAccuracy(), 0.25, 128, e.learningRate()));
        }
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("history", fixed.toJson());
        SafeTensors.write(file, c.tensors(), meta);
    }

    // ------------------------------------------------------------------ the fuzz run

    @Test
    void everyMutantIsRefusedWithoutChangeOrLoadsExactly() {
        long seed = Long.getLong("nabla.fuzz.seed", DEFAULT_FUZZ_SEED);
        int seconds = Integer.getInteger("nabla.fuzz.seconds", DEFAULT_SECONDS);
        Integer only = Integer.getInteger("nabla.fuzz.mutant");
        int first = only == null ? 0 : only;
        int last = only == null ? Integer.getInteger("nabla.fuzz.mutants", DEFAULT_MAX_MUTANTS) : only + 1;
        CheckpointMutator mutator = new CheckpointMutator(seed, originalBytes, original);
        FuzzReport report = new FuzzReport(seed, originalBytes);
        String[] current = {"setting up"};
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;

        PrintStream err = System.err;
        System.setErr(new WithoutResumeLogLines(err));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(seconds + 120L), () -> {
                // at least MIN_MUTANTS whatever the machine's speed, then as many as the time allows
                for (int i = first; i < last && (i - first < MIN_MUTANTS || System.nanoTime() < deadline); i++) {
                    Family family = Family.values()[i % Family.values().length];
                    Mutant mutant = mutator.mutant(i, family);
                    current[0] = "mutant #" + i + " " + family + " (" + mutant.description() + ")";
                    Path file = dir.resolve("mutant-" + i + ".safetensors");
                    Files.write(file, mutant.bytes());
                    List<Outcome> outcomes;
                    TensorScope scope = TensorScope.open(); // frees the mutant's tensors (the objects under test escape)
                    try {
                        outcomes = attemptAll(file);
                    } finally {
                        scope.close();
                    }
                    Files.delete(file);
                    report.add(i, mutant, outcomes);
                }
            }, () -> "seed " + seed + ": a load hung at " + current[0]);
        } finally {
            System.setErr(err);
        }

        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.print(report.summary(elapsed));
        List<String> problems = report.problems();
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems));
        }
    }

    /** System.err without the trainer's "Resuming from" log lines: thousands of them would bury the report. */
    private static final class WithoutResumeLogLines extends PrintStream {
        WithoutResumeLogLines(PrintStream target) {
            super(target, true);
        }

        @Override
        public void println(String line) {
            if (line == null || !line.contains("dev.nabla.train.Trainer - Resuming from")) {
                super.println(line);
            }
        }
    }

    /** The counts, the contract breaches, and the unrepaired mutants that loaded as something else. */
    private static final class FuzzReport {
        private final long seed;
        private final Map<String, Integer> byEntry = new TreeMap<>();
        private final Map<String, Integer> resumeByFamily = new TreeMap<>();
        private final Map<String, Integer> refusals = new TreeMap<>();
        private final List<String> failures = new ArrayList<>();
        private final Map<Entry, Integer> unrepairedByEntry = new TreeMap<>();
        /** Unrepaired mutants that reached the model, optimizer or trainer as other values, then those only read so. */
        private final List<String> unrepairedInObjects = new ArrayList<>();
        private final List<String> unrepairedInReadOnly = new ArrayList<>();
        private final String original;
        private int mutants;
        private int failed;
        private int unrepaired;

        FuzzReport(long seed, byte[] original) {
            this.seed = seed;
            CRC32C crc = new CRC32C();
            crc.update(original);
            // the same seed mutates the same file: its length and checksum show that it is the same
            this.original = String.format(Locale.ROOT, "%d bytes, crc32c %08x", original.length, crc.getValue());
        }

        int mutants() {
            return mutants;
        }

        void add(int index, Mutant mutant, List<Outcome> outcomes) {
            mutants++;
            String what = "seed " + seed + " mutant #" + index + " " + mutant.family() + " (" + mutant.description() + ")";
            List<Entry> otherValues = new ArrayList<>();
            boolean broke = false;
            for (Outcome o : outcomes) {
                byEntry.merge(o.entry().ordinal() + " " + o.entry().method + ": " + o.label(), 1, Integer::sum);
                if (o.entry() == Entry.RESUME) {
                    resumeByFamily.merge(mutant.family() + ": " + o.label(), 1, Integer::sum);
                }
                if (o.message() != null && (o.entry() == Entry.RESUME || o.entry() == Entry.READ)) {
                    refusals.merge(category(o.message()), 1, Integer::sum);
                }
                if (o.failure() != null) {
                    broke = true;
                    if (failures.size() < 20) {
                        failures.add(what + "\n    " + o.entry().method + ": " + o.failure());
                    }
                }
                if (o.label().equals(Outcome.OTHER_VALUES)) {
                    otherValues.add(o.entry());
                }
            }
            failed += broke ? 1 : 0;
            if (!mutant.family().resealed() && !otherValues.isEmpty()) {
                unrepaired++;
                otherValues.forEach(e -> unrepairedByEntry.merge(e, 1, Integer::sum));
                String line = what + ": " + otherValues.stream().map(e -> e.method).toList();
                (otherValues.stream().anyMatch(e -> e != Entry.READ) ? unrepairedInObjects : unrepairedInReadOnly).add(line);
            }
        }

        String summary(double seconds) {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "checkpoint fuzz: %d mutants in %.1f s (seed %d, checkpoint of %s): %d broke the contract, %d"
                            + " unrepaired (RAW, HEADER) loaded other values%n", mutants, seconds, seed, original, failed,
                    unrepaired));
            s.append("  outcomes by entry point:\n");
            byEntry.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%8d  %s%n", v, k.substring(2))));
            s.append("  Trainer.resumeFrom by family:\n");
            resumeByFamily.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%8d  %s%n", v, k)));
            s.append("  unrepaired mutants that loaded other values, by entry point:\n");
            unrepairedByEntry.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%8d  %s%n", v, k.method)));
            s.append("  most frequent refusals by SafeTensors.read and Trainer.resumeFrom:\n");
            refusals.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
                    .forEach(e -> s.append(String.format(Locale.ROOT, "%8d  %s%n", e.getValue(), e.getKey())));
            return s.toString();
        }

        /** What breaks the contract, then what misses the issue's target; empty if neither. */
        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (failed > 0) {
                problems.add(failed + " of " + mutants + " mutants broke the loaders' contract; the first:\n"
                        + String.join("\n", failures));
            }
            // The issue's target: damage nothing repaired (RAW, HEADER) is refused or loads as the original.
            if (unrepaired > 0) {
                List<String> examples = new ArrayList<>(unrepairedInObjects.subList(0, Math.min(12, unrepairedInObjects.size())));
                examples.addAll(unrepairedInReadOnly.subList(0, Math.min(3, unrepairedInReadOnly.size())));
                problems.add(unrepaired + " RAW or HEADER mutants (damaged, nothing repaired) loaded values other than the"
                        + " original's, " + unrepairedInObjects.size() + " of them into a model, optimizer or trainer;"
                        + " the first:\n  " + String.join("\n  ", examples));
            }
            return problems;
        }
    }

    /** The kind of refusal: the message without the path, names, numbers and details. */
    static String category(String message) {
        int at = message.indexOf(".safetensors: ");
        String p = at < 0 ? message : message.substring(at + 14);
        p = p.replaceAll("'[^']*'", "'_'").replaceAll("\"[^\"]*\"", "\"_\"").replaceAll("\\[[^\\]]*\\]", "[_]")
                .replaceAll("-?\\d+(\\.\\d+)?(E-?\\d+)?", "N");
        int cut = Math.min(p.length(), 90);
        for (String end : new String[]{";", " (", ", found", " found", " but ", " at character"}) {
            int e = p.indexOf(end, 12);
            if (e > 0) {
                cut = Math.min(cut, e);
            }
        }
        return p.substring(0, cut);
    }

    // ------------------------------------------------------------------ one file through the four entry points

    enum Entry {
        READ("SafeTensors.read"), MODULE("Module.loadStateDict"), OPTIMIZER("Optimizer.loadStateDict"),
        RESUME("Trainer.resumeFrom");

        final String method;

        Entry(String method) {
            this.method = method;
        }
    }

    /**
     * What one entry point did with one file: a label for the tally, the refusal's message (null if it loaded), and
     * why it broke the contract (null if it did not).
     */
    record Outcome(Entry entry, String label, String message, String failure) {
        static final String ORIGINAL = "loaded the original";
        static final String OTHER_VALUES = "loaded the file's other values";

        static Outcome loaded(Entry entry, boolean asOriginal) {
            return new Outcome(entry, asOriginal ? ORIGINAL : OTHER_VALUES, null, null);
        }

        static Outcome failed(Entry entry, String why) {
            return new Outcome(entry, "FAILED", null, why);
        }

        static Outcome notReached(Entry entry) {
            return new Outcome(entry, "not reached (the file does not read)", null, null);
        }
    }

    /** The file through all four entry points, in order. */
    List<Outcome> attemptAll(Path file) {
        List<Outcome> outcomes = new ArrayList<>();
        SafeTensors.Content content = null;
        Nabla.generator().setState(UNTOUCHED_RNG);
        try {
            content = SafeTensors.read(file);
        } catch (Throwable e) {
            outcomes.add(refused(Entry.READ, e, file, List.of(), null, null));
        }
        if (content != null) {
            outcomes.add(Nabla.generator().getState() != UNTOUCHED_RNG
                    ? Outcome.failed(Entry.READ, "SafeTensors.read changed the generator")
                    : Outcome.loaded(Entry.READ, described(content).equals(originalRead)));
            outcomes.add(loadModule(content));
            outcomes.add(loadOptimizer(content));
        } else {
            outcomes.add(Outcome.notReached(Entry.MODULE));
            outcomes.add(Outcome.notReached(Entry.OPTIMIZER));
        }
        outcomes.add(resume(file, content));
        return outcomes;
    }

    private Outcome loadModule(SafeTensors.Content content) {
        if (moduleRig == null) {
            moduleRig = model();
            moduleRig.loadStateDict(prefixed(decoy.tensors(), "model."), true);
        }
        Module target = moduleRig;
        Map<String, Tensor> given = prefixed(content.tensors(), "model.");
        Nabla.generator().setState(UNTOUCHED_RNG);
        State before = State.of(target, null, null);
        try {
            target.loadStateDict(given, true);
        } catch (Throwable e) {
            Set<String> keys = new HashSet<>(given.keySet());
            keys.addAll(target.stateDict().keySet());
            return refused(Entry.MODULE, e, null, keys, before, State.of(target, null, null));
        }
        moduleRig = null;
        return checkLoaded(Entry.MODULE, State.of(target, null, null), () -> expectedModuleLoad(given, target),
                originalModule);
    }

    private Outcome loadOptimizer(SafeTensors.Content content) {
        if (optimizerRig == null) {
            optimizerRig = adam(model());
            optimizerRig.loadStateDict(prefixed(decoy.tensors(), "optimizer."));
        }
        Optimizer target = optimizerRig;
        Map<String, Tensor> given = prefixed(content.tensors(), "optimizer.");
        Nabla.generator().setState(UNTOUCHED_RNG);
        State before = State.of(null, target, null);
        try {
            target.loadStateDict(given);
        } catch (Throwable e) {
            return refused(Entry.OPTIMIZER, e, null, given.keySet(), before, State.of(null, target, null));
        }
        optimizerRig = null;
        return checkLoaded(Entry.OPTIMIZER, State.of(null, target, null), () -> expectedOptimizerLoad(given),
                originalOptimizer);
    }

    private Outcome resume(Path file, SafeTensors.Content content) {
        if (resumeRig == null) {
            resumeRig = trainer(EPOCHS, NextEpochProbe.INSTANCE);
            resumeRig.resumeFrom(decoyFile);
        }
        Trainer target = resumeRig;
        Nabla.generator().setState(UNTOUCHED_RNG);
        State before = State.of(target);
        try {
            target.resumeFrom(file);
        } catch (Throwable e) {
            return refused(Entry.RESUME, e, file, List.of(), before, State.of(target));
        }
        resumeRig = null;
        if (content == null) {
            return Outcome.failed(Entry.RESUME, "resumed from a file that SafeTensors.read refuses");
        }
        return checkLoaded(Entry.RESUME, State.of(target), () -> expectedResume(content),
                originalResume);
    }

    /**
     * A refusal within the contract: the right type, naming the file ({@code file} not null) or a key (one of
     * {@code keys}), and no change to the objects ({@code before} equals {@code after}).
     */
    private Outcome refused(Entry entry, Throwable e, Path file, Collection<String> keys, State before, State after) {
        String message = String.valueOf(e.getMessage());
        String problem = null;
        if (file != null) {
            if (!(e instanceof FileFormatException)) {
                problem = "threw " + summary(e);
            } else if (!message.contains(file.getFileName().toString())) {
                problem = "the message does not name the file: " + message;
            }
        } else if (!(e instanceof IllegalArgumentException || e instanceof ShapeException || e instanceof DTypeException)) {
            problem = "threw " + summary(e);
        } else if (!namesAKey(message, keys)) {
            problem = "the message names no key: " + message;
        }
        if (problem == null && before != null && !before.equals(after)) {
            problem = "refused (" + message + ") but changed " + before.difference(after);
        }
        if (problem != null) {
            // whatever the objects hold now, the next mutant gets fresh ones
            moduleRig = entry == Entry.MODULE ? null : moduleRig;
            optimizerRig = entry == Entry.OPTIMIZER ? null : optimizerRig;
            resumeRig = entry == Entry.RESUME ? null : resumeRig;
            return Outcome.failed(entry, problem);
        }
        return new Outcome(entry, "refused (" + e.getClass().getSimpleName() + ")", message, null);
    }

    /** A state-dict key in the message: quoted as the optimizer writes it, or listed as the module does. */
    private static boolean namesAKey(String message, Collection<String> keys) {
        if (message.matches("(?s).*'(state|group)\\.[^']*'.*")) {
            return true;
        }
        return keys.stream().anyMatch(k -> !k.isEmpty() && message.contains(k));
    }

    private static String summary(Throwable e) {
        StringBuilder s = new StringBuilder(e.toString());
        StackTraceElement[] trace = e.getStackTrace();
        for (int i = 0; i < Math.min(4, trace.length); i++) {
            s.append("\n        at ").append(trace[i]);
        }
        return s.toString();
    }

    /** What the oracle expects from a file, or why the file holds something no load should accept. */
    private interface Expectation {
        State get();
    }

    /** A load within the contract: exactly what the file holds; labelled by whether that is the original. */
    private static Outcome checkLoaded(Entry entry, State actual, Expectation fromFile, State original) {
        State expected;
        try {
            expected = fromFile.get();
        } catch (RuntimeException notLoadable) { // the oracle's own refusal, or a value Java cannot read either
            return Outcome.failed(entry, "loaded, although " + notLoadable.getMessage());
        }
        if (!expected.equals(actual)) {
            return Outcome.failed(entry, "loaded, but not what the file holds: " + expected.difference(actual));
        }
        return Outcome.loaded(entry, actual.equals(original));
    }

    // ------------------------------------------------------------------ what a file holds, and what a load must give

    /**
     * Everything a load may change, as exact values (doubles compared bit for bit, NaN equal to NaN, integers as
     * longs); parts an entry point does not touch are null.
     */
    record State(Map<String, List<Object>> model, Map<String, List<Object>> optimizer, Map<String, Double> scheduler,
                 Long lastStep, List<EpochResult> history, Integer nextEpoch, long rng) {

        static State of(Module model, Optimizer optimizer, Trainer trainer) {
            long rng = Nabla.generator().getState();
            if (trainer == null) {
                return new State(model == null ? null : values(model.stateDict()),
                        optimizer == null ? null : values(optimizer.stateDict()), null, null, null, null, rng);
            }
            LRScheduler s = trainer.scheduler();
            return new State(values(trainer.model().stateDict()), values(trainer.optimizer().stateDict()),
                    s.stateDict(), s.lastStep(), trainer.history().epochs(), NextEpochProbe.nextEpoch(trainer), rng);
        }

        static State of(Trainer trainer) {
            return of(null, null, trainer);
        }

        /** The first part that differs, with both values. */
        String difference(State other) {
            String d = mapDifference("model", model, other.model);
            d = d != null ? d : mapDifference("optimizer", optimizer, other.optimizer);
            d = d != null ? d : differ("scheduler state", scheduler, other.scheduler);
            d = d != null ? d : differ("scheduler last step", lastStep, other.lastStep);
            d = d != null ? d : differ("history", history, other.history);
            d = d != null ? d : differ("next epoch", nextEpoch, other.nextEpoch);
            d = d != null ? d : differ("generator state", rng, other.rng);
            return d != null ? d : "nothing";
        }

        private static String mapDifference(String what, Map<String, List<Object>> a, Map<String, List<Object>> b) {
            if (a == null || b == null || a.equals(b)) {
                return differ(what, a == null, b == null);
            }
            if (!a.keySet().equals(b.keySet())) {
                return what + " keys " + new TreeMap<>(a).keySet() + " vs " + new TreeMap<>(b).keySet();
            }
            for (String k : a.keySet()) {
                if (!a.get(k).equals(b.get(k))) {
                    return what + " '" + k + "': " + a.get(k) + " vs " + b.get(k);
                }
            }
            return null;
        }

        private static String differ(String what, Object a, Object b) {
            return Objects.equals(a, b) ? null : what + ": " + a + " vs " + b;
        }
    }

    /** Values of each tensor: Double for floating-point dtypes (exact, including NaN and -0.0), else Long. */
    static Map<String, List<Object>> values(Map<String, Tensor> tensors) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, values(v)));
        return out;
    }

    static List<Object> values(Tensor t) {
        List<Object> out = new ArrayList<>();
        if (t.dtype().isFloatingPoint()) {
            for (double d : t.toDoubleArray()) {
                out.add(d);
            }
        } else {
            for (long l : t.toLongArray()) {
                out.add(l);
            }
        }
        return out;
    }

    /** A file's content, comparable: every tensor's dtype, shape and values, and the metadata. */
    static Map<String, Object> described(SafeTensors.Content c) {
        Map<String, Object> out = new TreeMap<>();
        c.tensors().forEach((k, v) -> out.put("tensor " + k, List.of(v.dtype(), Arrays.toString(v.shape()), values(v))));
        c.metadata().forEach((k, v) -> out.put("metadata " + k, v));
        return out;
    }

    /** The tensors whose names start with {@code prefix}, without it (as {@code Checkpoint} splits a file). */
    static Map<String, Tensor> prefixed(Map<String, Tensor> tensors, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Module.loadStateDict casts to the module's dtypes: each of its tensors holds the file's values so cast. */
    private static State expectedModuleLoad(Map<String, Tensor> given, Module target) {
        Map<String, List<Object>> model = new LinkedHashMap<>();
        for (var own : target.stateDict().entrySet()) {
            Tensor saved = given.get(own.getKey());
            if (saved == null) {
                throw new IllegalStateException("the file has no '" + own.getKey() + "'");
            }
            model.put(own.getKey(), values(saved.to(own.getValue().dtype())));
        }
        return new State(model, null, null, null, null, null, UNTOUCHED_RNG);
    }

    /** The optimizer's state dict is the file's, entry for entry (options read as doubles, steps as longs). */
    private static State expectedOptimizerLoad(Map<String, Tensor> given) {
        return new State(null, values(given), null, null, null, null, UNTOUCHED_RNG);
    }

    /**
     * A resumed trainer holds the file's model and optimizer tensors, its scheduler step, generator state, epoch
     * count and history (empty when the file has none: its finished epochs are unknown); the learning rate is the one
     * the schedule gives at that step (LRScheduler.loadStateDict applies it over the optimizer's).
     */
    private static State expectedResume(SafeTensors.Content c) {
        Map<String, String> meta = c.metadata();
        long lastStep = lastStepIn(meta.get("scheduler"));
        Map<String, List<Object>> optimizer = values(prefixed(c.tensors(), "optimizer."));
        optimizer.replace("group.0.lr", List.of(LR * Math.pow(GAMMA, lastStep)));
        return new State(values(prefixed(c.tensors(), "model.")), optimizer, Map.of("last_step", (double) lastStep),
                lastStep, meta.containsKey("history") ? historyIn(meta.get("history")) : List.of(),
                Math.toIntExact(Long.parseLong(meta.get("epochs_done"))), Long.parseLong(meta.get("rng_state")));
    }

    /** The exact step count a scheduler state holds; a value that is no step count cannot load. */
    private static long lastStepIn(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> state) || !state.keySet().equals(Set.of("last_step"))) {
            throw new IllegalStateException("the scheduler state is " + json);
        }
        Object v = state.get("last_step");
        if (v instanceof Long l && l >= 0 && l <= 1L << 53) {
            return l;
        }
        if (v instanceof Double d && d >= 0 && d <= 0x1p53 && d == Math.rint(d)) {
            return d.longValue();
        }
        throw new IllegalStateException("the file's last_step is " + v + ", which is no step count from 0 to 2^53");
    }

    /** The history's epochs exactly as the JSON states them (null reads as NaN); an epoch number must be an int. */
    private static List<EpochResult> historyIn(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> root) || !(root.get("epochs") instanceof List<?> rows)) {
            throw new IllegalStateException("the history is " + json);
        }
        List<EpochResult> epochs = new ArrayList<>();
        for (Object row : rows) {
            if (!(row instanceof Map<?, ?> r)) {
                throw new IllegalStateException("a history row is " + row);
            }
            double epoch = number(r, "epoch");
            if (epoch != (int) epoch) {
                throw new IllegalStateException("a history row's epoch is " + r.get("epoch") + ", not an epoch number");
            }
            epochs.add(new EpochResult((int) epoch, number(r, "train_loss"), number(r, "train_accuracy"),
                    number(r, "validation_loss"), number(r, "validation_accuracy"), number(r, "seconds"),
                    number(r, "samples_per_second"), number(r, "learning_rate")));
        }
        return epochs;
    }

    private static double number(Map<?, ?> row, String key) {
        if (!row.containsKey(key)) {
            throw new IllegalStateException("a history row lacks '" + key + "'");
        }
        Object v = row.get(key);
        if (v == null) {
            return Double.NaN;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("a history row's '" + key + "' is " + v);
        }
        return n.doubleValue();
    }

    /** Reads the epoch fit() would start at without training: fit() tells its listeners first, and this one stops it. */
    private static final class NextEpochProbe implements TrainingListener {
        static final NextEpochProbe INSTANCE = new NextEpochProbe();

        private static final class Stop extends RuntimeException {
            final int epoch;

            Stop(int epoch) {
                super(null, null, false, false);
                this.epoch = epoch;
            }
        }

        @Override
        public void onTrainStart(Trainer trainer, int firstEpoch, int epochs) {
            throw new Stop(firstEpoch);
        }

        static int nextEpoch(Trainer trainer) {
            try {
                trainer.fit();
            } catch (Stop stop) {
                return stop.epoch;
            }
            throw new AssertionError("fit() started without telling its listeners");
        }
    }

    // ------------------------------------------------------------------ the oracle on files of known content

    @Test
    void theOriginalLoadsAsTheOriginalEverywhere() {
        for (Outcome o : attemptAll(originalFile)) {
            assertEquals(Outcome.ORIGINAL, o.label(), () -> o.entry().method + ": " + o);
        }
    }

    /** A load that wrote part of the file before refusing it changes the objects only where the two files differ. */
    @Test
    void theDecoyDiffersFromTheOriginalWhereverALoadWrites() {
        Trainer t = trainer(EPOCHS, NextEpochProbe.INSTANCE);
        t.resumeFrom(decoyFile);
        Nabla.generator().setState(UNTOUCHED_RNG);
        State decoyState = State.of(t);
        originalResume.model().forEach((k, v) -> assertNotEquals(v, decoyState.model().get(k), k));
        originalResume.optimizer().forEach((k, v) -> {
            if (k.startsWith("state.") || k.equals("group.0.lr")) { // Adam's other options are the same in both runs
                assertNotEquals(v, decoyState.optimizer().get(k), k);
            }
        });
        assertNotEquals(originalResume.scheduler(), decoyState.scheduler());
        assertNotEquals(originalResume.history(), decoyState.history());
        assertNotEquals(originalResume.nextEpoch(), decoyState.nextEpoch());
        assertNotEquals(originalResume.rng(), decoyState.rng());
    }

    @Test
    void aResealedWeightLoadsAsTheFileSaysIt() {
        Path file = edited("weight", t -> t.put("model.0.weight", t.get("model.0.weight").mul(0).add(0.125)), m -> { });
        List<Outcome> outcomes = attemptAll(file);
        for (Outcome o : outcomes.subList(0, 2)) {
            assertEquals(Outcome.OTHER_VALUES, o.label(), () -> o.entry().method + ": " + o);
        }
        assertEquals(Outcome.ORIGINAL, outcomes.get(2).label(), () -> "optimizer: " + outcomes.get(2));
        assertEquals(Outcome.OTHER_VALUES, outcomes.get(3).label(), () -> "resume: " + outcomes.get(3));
    }

    // ------------------------------------------------------------------ named cases from the issue

    @Test
    void stateOfParameterMinusOneIsRefused() {
        assertOptimizerStateRefused(renamed("optimizer.state.0.", "optimizer.state.-1."), "state.-1.");
    }

    @Test
    void groupMinusOneIsRefused() {
        assertOptimizerStateRefused(renamed("optimizer.group.0.lr", "optimizer.group.-1.lr"), "group.-1.lr");
    }

    @Test
    void stateOfParameterXIsRefused() {
        assertOptimizerStateRefused(renamed("optimizer.state.0.", "optimizer.state.x."), "state.x.");
    }

    @Test
    void stateOfAParameterIndexBeyondIntIsRefused() {
        assertOptimizerStateRefused(renamed("optimizer.state.0.", "optimizer.state.2147483648."), "state.2147483648.");
    }

    @Test
    void unknownStateNameIsRefused() {
        assertOptimizerStateRefused(renamed("optimizer.state.0.exp_avg", "optimizer.state.0.exp_avgX"), "exp_avgX");
    }

    @Test
    void momentumIsAnUnknownOptionOfAdam() {
        assertOptimizerStateRefused(t -> t.put("optimizer.group.0.momentum", Tensor.of(new double[]{0.9}).reshape()),
                "group.0.momentum");
    }

    @Test
    void missingExpAvgIsRefused() {
        assertOptimizerStateRefused(t -> t.remove("optimizer.state.0.exp_avg"), "state.0.exp_avg");
    }

    @Test
    void missingStepIsRefused() {
        assertOptimizerStateRefused(t -> t.remove("optimizer.state.0.step"), "state.0.step");
    }

    @Test
    void checkpointWithoutSchedulerStateIsRefusedByATrainerWithAScheduler() {
        assertResumeRefused("no-scheduler", m -> m.remove("scheduler"), "scheduler");
    }

    @Test
    void negativeAndHugeLastStepsAreRefused() {
        assertResumeRefused("last-step-minus-5", m -> m.put("scheduler", "{\"last_step\":-5}"), "last_step");
        assertResumeRefused("last-step-1e30", m -> m.put("scheduler", "{\"last_step\":1e30}"), "last_step");
    }

    @Test
    void epochCountsBeyondIntAreRefused() {
        assertResumeRefused("epochs-4294967297", m -> m.put("epochs_done", "4294967297"), "epochs_done");
        assertResumeRefused("epochs-2147483648", m -> m.put("epochs_done", "2147483648"), "epochs_done");
    }

    /** The original checkpoint with tensors and metadata edited, written by SafeTensors (so with a valid checksum). */
    private Path edited(String name, Consumer<Map<String, Tensor>> tensors, Consumer<Map<String, String>> metadata) {
        Map<String, Tensor> t = new LinkedHashMap<>(original.tensors());
        Map<String, String> m = new LinkedHashMap<>(original.metadata());
        tensors.accept(t);
        metadata.accept(m);
        Path file = dir.resolve(name + ".safetensors");
        SafeTensors.write(file, t, m);
        return file;
    }

    /** Every tensor whose name starts with {@code from} renamed to start with {@code to}, in place in the file order. */
    private static Consumer<Map<String, Tensor>> renamed(String from, String to) {
        return tensors -> {
            Map<String, Tensor> copy = new LinkedHashMap<>(tensors);
            tensors.clear();
            copy.forEach((k, v) -> tensors.put(k.startsWith(from) ? to + k.substring(from.length()) : k, v));
        };
    }

    /** Optimizer.loadStateDict refuses naming {@code key} and Trainer.resumeFrom names the file; nothing changes. */
    private void assertOptimizerStateRefused(Consumer<Map<String, Tensor>> edit, String key) {
        Path file = edited("optimizer-" + key.replace('.', '-'), edit, m -> { });
        List<Outcome> outcomes = attemptAll(file);
        assertEquals(Outcome.ORIGINAL, outcomes.get(1).label(), () -> "the model tensors are intact: " + outcomes.get(1));
        assertRefusal(outcomes.get(2), key);
        assertRefusal(outcomes.get(3), key);
    }

    /** Trainer.resumeFrom refuses naming the file and {@code word}; nothing changes. */
    private void assertResumeRefused(String name, Consumer<Map<String, String>> edit, String word) {
        List<Outcome> outcomes = attemptAll(edited(name, t -> { }, edit));
        assertEquals(Outcome.ORIGINAL, outcomes.get(1).label(), () -> "the model tensors are intact: " + outcomes.get(1));
        assertEquals(Outcome.ORIGINAL, outcomes.get(2).label(), () -> "the optimizer tensors are intact: " + outcomes.get(2));
        assertRefusal(outcomes.get(3), word);
    }

    private static void assertRefusal(Outcome o, String word) {
        assertNull(o.failure(), () -> o.entry().method + ": " + o.failure());
        assertTrue(o.label().startsWith("refused"), () -> o.entry().method + " should refuse: " + o);
        assertTrue(o.message().contains(word), () -> o.entry().method + "'s message should name '" + word + "': "
                + o.message());
    }
}
