package dev.nabla.examples;

import dev.nabla.ShapeException;
import dev.nabla.io.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static dev.nabla.examples.CliRun.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user error is one line on stderr and a non-zero exit; {@code --verbose} adds the stack trace. */
class CliErrorsTest {
    @TempDir
    Path temp;

    static void assertOneLine(CliRun run, int exitCode, String expected) {
        assertEquals(exitCode, run.exitCode(), run.all());
        assertEquals(1, run.err().lines().count(), "not one line:\n" + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    static void assertStackTrace(CliRun run, int exitCode, String expected) {
        assertEquals(exitCode, run.exitCode(), run.all());
        assertTrue(run.err().lines().findFirst().orElse("").contains(expected), run.err());
        assertTrue(run.err().contains("\tat "), "no stack trace:\n" + run.err());
    }

    @Test
    void badOptionValuesAreOneLineWithoutTheUsageText() {
        assertOneLine(nabla("fashion-mlp", "--epochs", "x"), 2,
                "nabla fashion-mlp: Invalid value for option '--epochs': 'x' is not an int");
        assertOneLine(nabla("fashion-cnn", "--epoch", "3"), 2, "(did you mean --epochs?)");
        assertOneLine(nabla("fashion-mlp", "--batch-size", "0"), 2, "--batch-size must be positive, found 0");
        assertOneLine(nabla(), 2, "nabla: Missing command");
        // a name a server would not serve (hidden: a staging directory) is refused before any data is loaded
        assertOneLine(nabla("retrain", "--repository", temp.toString(), "--model", ".staging"), 2,
                "--model must be a model name (letters, digits, _ . -), found '.staging'");
        assertOneLine(nabla("serve", "--repository", temp.toString(), "--threads", "2000"), 2,
                "--threads must be 0 (all processors) to 1024, found 2000");
    }

    @Test
    void aBadFileIsOneLineAndVerboseShowsTheTrace() throws IOException {
        Path random = temp.resolve("random.safetensors");
        byte[] bytes = new byte[4096];
        new Random(1).nextBytes(bytes);
        Files.write(random, bytes);
        String[] args = {"optimize", "--checkpoint", random.toString(), "--out", temp.resolve("x.nabla").toString()};
        assertOneLine(nabla(args), 1, "nabla optimize: " + random + ": ");

        // --verbose works after the command and before it
        String[] verbose = new String[args.length + 1];
        System.arraycopy(args, 0, verbose, 0, args.length);
        verbose[args.length] = "--verbose";
        assertStackTrace(nabla(verbose), 1, "nabla optimize: " + random + ": ");
        String[] verboseFirst = new String[args.length + 1];
        verboseFirst[0] = "--verbose";
        System.arraycopy(args, 0, verboseFirst, 1, args.length);
        assertStackTrace(nabla(verboseFirst), 1, "nabla optimize: " + random + ": ");

        assertStackTrace(nabla("fashion-mlp", "--epochs", "x", "--verbose"), 2, "'x' is not an int");
    }

    @Test
    void verboseIsListedByEveryCommand() {
        for (String command : new String[]{"fashion-mlp", "fashion-cnn", "optimize", "predict", "serve"}) {
            CliRun help = nabla("help", command);
            assertTrue(help.out().contains("--verbose"), command + ":\n" + help.out());
        }
    }

    @Test
    void bugsAreNotUserErrors() {
        assertTrue(CliErrors.isUserError(new UsageException("x")));
        assertTrue(CliErrors.isUserError(new FileFormatException(Path.of("f"), "x")));
        assertTrue(CliErrors.isUserError(new UncheckedIOException(new IOException("x"))));
        assertFalse(CliErrors.isUserError(new NullPointerException()));
        assertFalse(CliErrors.isUserError(new IllegalStateException("x")));
        assertFalse(CliErrors.isUserError(new IllegalArgumentException("x")));
        assertFalse(CliErrors.isUserError(new ShapeException("x")));
    }
}
