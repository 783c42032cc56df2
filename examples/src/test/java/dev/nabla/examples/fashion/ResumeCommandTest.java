package dev.nabla.examples.fashion;

import dev.nabla.Tensor;
import dev.nabla.examples.CliRun;
import dev.nabla.io.Json;
import dev.nabla.io.SafeTensors;
import dev.nabla.io.TensorData;
import dev.nabla.train.EpochResult;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --resume}: a run interrupted after an epoch and resumed ends with the same checkpoint, bit for bit, as the
 * run without the interruption; a checkpoint of another model or other options is refused with one line.
 */
class ResumeCommandTest {
    /** Small and fast: 3 batches of the embedded sample per epoch. */
    private static final String[] DATA = {"--sample", "--limit-train", "300", "--limit-test", "100", "--threads", "2",
            "--progress", "lines"};

    @TempDir
    static Path shared;
    /** fashion-mlp with the default cosine schedule, --epochs 2, stopped after the first. */
    private static Path interruptedMlp;

    @TempDir
    Path temp;

    @BeforeAll
    static void interruptAnMlpRun() {
        Path dir = shared.resolve("mlp-interrupted");
        CliRun run = interrupted(1, "fashion-mlp", "--epochs", "2", "--output-dir", dir.toString());
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("epoch 1/2") && !run.out().contains("epoch 2/2"), run.out());
        interruptedMlp = dir.resolve(FashionRun.CHECKPOINT);
    }

    @Test
    void resumedMlpEqualsTheUninterruptedRun() throws Exception {
        Path straight = train("fashion-mlp", temp.resolve("straight"), "--epochs", "2");
        Path resumedDir = temp.resolve("resumed");
        Files.createDirectories(resumedDir);
        Files.copy(interruptedMlp, resumedDir.resolve(FashionRun.CHECKPOINT));
        // into the directory of the interrupted run, and --epochs from the checkpoint
        resume("fashion-mlp", resumedDir.resolve(FashionRun.CHECKPOINT), resumedDir);

        assertSameRun(straight, resumedDir);
        Map<String, Object> report = report(resumedDir);
        assertEquals(resumedDir.resolve(FashionRun.CHECKPOINT).toString(), report.get("resumed_from"));
        assertEquals(1, ((Number) report.get("resumed_after_epoch")).intValue());
        List<?> wall = (List<?>) report.get("epoch_seconds_with_test");
        assertEquals(2, wall.size());
        assertNull(wall.get(0), "not measured in the resumed process");
        assertEquals(3, Files.readAllLines(resumedDir.resolve(FashionRun.HISTORY_CSV)).size(), "header + 2 epochs");
    }

    @Test
    void resumedCnnWithBatchNormAndAugmentationEqualsTheUninterruptedRun() throws Exception {
        String[] cnn = {"--bn", "--augment", "--epochs", "2"};
        Path straight = train("fashion-cnn", temp.resolve("straight"), cnn);
        Path interruptedDir = temp.resolve("interrupted");
        CliRun stopped = interrupted(1, "fashion-cnn", concat(cnn, "--output-dir", interruptedDir.toString()));
        assertEquals(0, stopped.exitCode(), stopped.all());
        Path checkpoint = interruptedDir.resolve(FashionRun.CHECKPOINT);

        CliRun withoutBn = nabla(args("fashion-cnn", "--augment", "--resume", checkpoint.toString(), "--output-dir",
                temp.resolve("x").toString()));
        assertRefused(withoutBn, "--resume " + checkpoint + " was trained with --bn, not without it");

        Path resumedDir = temp.resolve("resumed");
        resume("fashion-cnn", checkpoint, resumedDir, cnn);
        assertSameRun(straight, resumedDir);
    }

    @Test
    void aConstantScheduleRunCanBeExtended() throws Exception {
        Path straight = train("fashion-mlp", temp.resolve("straight"), "--schedule", "constant", "--epochs", "2");
        Path first = train("fashion-mlp", temp.resolve("first"), "--schedule", "constant", "--epochs", "1");
        Path extended = temp.resolve("extended");
        resume("fashion-mlp", first.resolve(FashionRun.CHECKPOINT), extended, "--schedule", "constant", "--epochs", "2");
        assertSameRun(straight, extended);
    }

    @Test
    void checkpointsOfAnotherModelOrOtherOptionsAreRefused() {
        String file = interruptedMlp.toString();
        String out = temp.resolve("refused").toString();
        assertRefused(nabla(args("fashion-cnn", "--resume", file, "--output-dir", out)),
                "nabla fashion-cnn: --resume " + file + " holds a fashion-mlp model, not fashion-cnn");
        assertRefused(nabla(args("fashion-mlp", "--resume", file, "--lr", "0.01", "--output-dir", out)),
                "nabla fashion-mlp: --resume " + file + " was trained with --lr 0.001, not 0.01");
        assertRefused(nabla(args("fashion-mlp", "--resume", file, "--seed", "7", "--batch-size", "64", "--output-dir",
                out)), "was trained with --batch-size 128, not 64; --seed 42, not 7");
        assertRefused(nabla(args("fashion-mlp", "--resume", file, "--schedule", "constant", "--output-dir", out)),
                "was trained with --schedule cosine, not constant");
        assertRefused(nabla(args("fashion-mlp", "--resume", file, "--epochs", "3", "--output-dir", out)),
                "was trained with --epochs 2, not 3: the cosine schedule spans all epochs of a run");
        assertFalse(Files.exists(temp.resolve("refused")), "a refused run wrote something");
    }

    @Test
    void aCheckpointOfOtherDataIsRefused() throws Exception {
        // as if the run had trained on other data (a changed --data-dir, the sample against the full set)
        Path edited = temp.resolve("other-data.safetensors");
        rewriteMetadata(interruptedMlp, edited, meta -> meta.put(TrainingRecord.KEY_TRAIN_EXAMPLES, "301"));
        assertRefused(nabla(args("fashion-mlp", "--resume", edited.toString(), "--output-dir",
                temp.resolve("o").toString())), "was trained on 301 training examples, not 300");
    }

    @Test
    void aFinishedRunCannotBeResumed() {
        Path done = train("fashion-mlp", temp.resolve("done"), "--schedule", "constant", "--epochs", "1");
        String file = done.resolve(FashionRun.CHECKPOINT).toString();
        assertRefused(nabla(args("fashion-mlp", "--schedule", "constant", "--resume", file, "--output-dir",
                temp.resolve("o").toString())), "already holds 1 epoch, all --epochs 1 asks for; pass a larger --epochs");
        assertRefused(nabla(args("fashion-mlp", "--schedule", "constant", "--resume", file, "--epochs", "1",
                "--output-dir", temp.resolve("o").toString())), "pass a larger --epochs to train more");
    }

    @Test
    void aCheckpointWithoutTheRecordedOptionsIsRefused() throws Exception {
        Path old = temp.resolve("old.safetensors");
        rewriteMetadata(interruptedMlp, old, meta -> meta.keySet().removeIf(k -> k.startsWith("nabla.")
                && !k.equals(FashionModels.KEY_EXAMPLE) && !k.equals(FashionModels.KEY_BATCH_NORM)
                && !k.equals(FashionModels.KEY_AUGMENT)));
        assertRefused(nabla(args("fashion-mlp", "--resume", old.toString(), "--output-dir",
                temp.resolve("o").toString())), "does not record --batch-size (metadata 'nabla.batch_size'): it was "
                + "written before nabla could resume a run, so it cannot be continued exactly; start a new run");

        Path foreign = temp.resolve("foreign.safetensors");
        rewriteMetadata(interruptedMlp, foreign, meta -> meta.keySet().removeIf(k -> k.startsWith("nabla.")));
        assertRefused(nabla(args("fashion-mlp", "--resume", foreign.toString(), "--output-dir",
                temp.resolve("o").toString())), "does not record which example model it holds");
    }

    @Test
    void aCheckpointWhoseTensorsDoNotFitItsRecordIsOneLine() {
        Path edited = temp.resolve("mlp-named-cnn.safetensors");
        rewriteMetadata(interruptedMlp, edited, meta -> meta.put(FashionModels.KEY_EXAMPLE, "fashion-cnn"));
        assertRefused(nabla(args("fashion-cnn", "--resume", edited.toString(), "--output-dir",
                temp.resolve("o").toString())), edited.toString());
    }

    @Test
    void aBadOrMissingFileIsOneLineAndVerboseShowsTheTrace() throws Exception {
        Path random = temp.resolve("random.safetensors");
        byte[] bytes = new byte[2048];
        new Random(3).nextBytes(bytes);
        Files.write(random, bytes);
        String out = temp.resolve("o").toString();
        assertRefused(nabla(args("fashion-mlp", "--resume", random.toString(), "--output-dir", out)),
                "nabla fashion-mlp: " + random + ": ");
        CliRun verbose = nabla(args("fashion-mlp", "--resume", random.toString(), "--output-dir", out, "--verbose"));
        assertEquals(1, verbose.exitCode(), verbose.all());
        assertTrue(verbose.err().startsWith("nabla fashion-mlp: " + random + ": "), verbose.err());
        assertTrue(verbose.err().contains("\tat "), verbose.err());

        Path missing = temp.resolve("missing.safetensors");
        assertRefused(nabla(args("fashion-cnn", "--resume", missing.toString(), "--output-dir", out)),
                "nabla fashion-cnn: --resume " + missing + ": no such file");
        CliRun missingVerbose = nabla(args("fashion-cnn", "--verbose", "--resume", missing.toString()));
        assertTrue(missingVerbose.err().contains("\tat "), missingVerbose.err());
    }

    // ------------------------------------------------------------------ helpers

    /** The command with the small data options. */
    private static String[] args(String command, String... rest) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(Arrays.asList(DATA));
        all.addAll(Arrays.asList(rest));
        return all.toArray(String[]::new);
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** Trains through the command line; returns the output directory. */
    private static Path train(String command, Path outputDir, String... options) {
        CliRun run = nabla(args(command, concat(options, "--output-dir", outputDir.toString())));
        assertEquals(0, run.exitCode(), run.all());
        return outputDir;
    }

    /** Resumes a run from its checkpoint after epoch 1 of 2, and checks that only the second epoch is trained. */
    private static void resume(String command, Path checkpoint, Path outputDir, String... options) {
        CliRun run = nabla(args(command, concat(options, "--resume", checkpoint.toString(), "--output-dir",
                outputDir.toString())));
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("Resuming from " + checkpoint + " after epoch 1"), run.out());
        assertFalse(run.out().contains("epoch 1/2"), run.out());
        assertTrue(run.out().contains("epoch 2/2"), run.out());
    }

    /** Runs a command as the command line does, but stops it after {@code stopAfter} epochs, like a killed process. */
    private static CliRun interrupted(int stopAfter, String command, String... options) {
        FashionMlpCommand mlp = new FashionMlpCommand();
        FashionCnnCommand cnn = new FashionCnnCommand();
        CommandLine cli = new CommandLine(command.equals("fashion-cnn") ? cnn : mlp);
        FashionOptions o = command.equals("fashion-cnn") ? cnn.options : mlp.options;
        o.listeners.add(new TrainingListener() {
            @Override
            public void onEpochEnd(Trainer trainer, EpochResult result) {
                if (result.epoch() + 1 == stopAfter) {
                    trainer.requestStop("the test interrupts the run");
                }
            }
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(concat(DATA, options));
        return new CliRun(code, out.toString(), err.toString());
    }

    private static void assertRefused(CliRun run, String expected) {
        assertEquals(1, run.exitCode(), run.all());
        assertEquals(1, run.err().lines().count(), "not one line:\n" + run.err());
        assertTrue(run.err().contains(expected), "expected '" + expected + "' in\n" + run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    /**
     * Both runs' checkpoints hold the same tensors, bit for bit (model and optimizer), and the same metadata but for
     * the history's timings; their reports the same losses and accuracies.
     */
    private static void assertSameRun(Path expectedDir, Path actualDir) throws Exception {
        SafeTensors.Content expected = SafeTensors.read(expectedDir.resolve(FashionRun.CHECKPOINT));
        SafeTensors.Content actual = SafeTensors.read(actualDir.resolve(FashionRun.CHECKPOINT));
        assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
        assertTrue(expected.tensors().keySet().stream().anyMatch(k -> k.startsWith("optimizer.state.")),
                expected.tensors().keySet().toString());
        for (String key : expected.tensors().keySet()) {
            Tensor e = expected.tensors().get(key);
            Tensor a = actual.tensors().get(key);
            assertEquals(e.dtype(), a.dtype(), key);
            assertArrayEquals(e.shape(), a.shape(), key);
            assertArrayEquals(TensorData.encode(e), TensorData.encode(a), key + " differs");
        }
        Map<String, String> expectedMeta = new HashMap<>(expected.metadata());
        Map<String, String> actualMeta = new HashMap<>(actual.metadata());
        assertEquals("2", actualMeta.get("epochs_done"));
        expectedMeta.remove("history");
        actualMeta.remove("history");
        assertEquals(expectedMeta, actualMeta);

        Map<String, Object> expectedReport = report(expectedDir);
        Map<String, Object> actualReport = report(actualDir);
        for (String key : new String[]{"epochs", "train_loss", "train_accuracy", "test_loss_per_epoch",
                "test_accuracy_per_epoch", "test_accuracy", "params"}) {
            assertEquals(expectedReport.get(key), actualReport.get(key), key);
        }
        assertEquals(2, ((Number) actualReport.get("epochs")).intValue());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> report(Path dir) throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(dir.resolve(FashionRun.REPORT)));
    }

    private static void rewriteMetadata(Path from, Path to, java.util.function.Consumer<Map<String, String>> edit) {
        SafeTensors.Content content = SafeTensors.read(from);
        Map<String, String> metadata = new LinkedHashMap<>(content.metadata());
        edit.accept(metadata);
        SafeTensors.write(to, content.tensors(), metadata);
    }
}
