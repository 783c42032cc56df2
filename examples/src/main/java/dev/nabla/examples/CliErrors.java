package dev.nabla.examples;

import dev.nabla.DeviceException;
import dev.nabla.inference.GraphException;
import dev.nabla.io.FileFormatException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How {@code nabla} reports a failure: a user error (a bad option, a bad or missing file, an unavailable device) as
 * one line, {@code nabla COMMAND: what was expected, what was found}; anything else, a bug, with its stack trace.
 * With {@code --verbose} every error shows its stack trace too.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    static final String VERBOSE = "--verbose";

    private final boolean verbose;

    /**
     * @param args the whole command line; {@code --verbose} is read from it rather than from the parsed options
     *             because a parse error can stop picocli before it reaches the option
     */
    CliErrors(String... args) {
        this.verbose = List.of(args).contains(VERBOSE);
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (isUserError(e)) {
            err.println(prefix(cli) + oneLine(e.getMessage(), e));
            if (verbose) {
                e.printStackTrace(err);
            }
        } else {
            err.println(cli.getCommandSpec().qualifiedName() + " failed:");
            e.printStackTrace(err);
        }
        err.flush();
        return cli.getCommandSpec().exitCodeOnExecutionException();
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        String message = oneLine(e.getMessage(), e);
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            message += " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
        }
        err.println(prefix(cli) + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Errors about the user's input, files or machine. Not among them: IllegalArgumentException, ShapeException,
     * NullPointerException and the like, which here mean a bug; where they can come from a user's file, the code
     * that loads it turns them into a {@link UsageException} naming the file.
     */
    static boolean isUserError(Exception e) {
        return e instanceof UsageException || e instanceof FileFormatException || e instanceof DeviceException
                || e instanceof UncheckedIOException || e instanceof GraphException;
    }

    private static String prefix(CommandLine cli) {
        return cli.getCommandSpec().qualifiedName() + ": ";
    }

    /** The message on one line (a file's own error text may hold line breaks). */
    private static String oneLine(String message, Exception e) {
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip();
        return text.replaceAll("\\s*\\R\\s*", " ");
    }
}
