package dev.nabla.examples;

import dev.nabla.examples.fashion.FashionCnnCommand;
import dev.nabla.examples.fashion.FashionMlpCommand;
import dev.nabla.examples.inference.OptimizeCommand;
import dev.nabla.examples.inference.PredictCommand;
import dev.nabla.examples.lifecycle.LifecycleCommand;
import dev.nabla.examples.lifecycle.RetrainCommand;
import dev.nabla.examples.serving.DriftCommand;
import dev.nabla.examples.serving.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code nabla} command line: {@code nabla fashion-mlp ...}, {@code nabla fashion-cnn ...},
 * {@code nabla optimize ...}, {@code nabla predict ...}, {@code nabla serve ...}, {@code nabla drift ...},
 * {@code nabla retrain ...}, {@code nabla lifecycle ...}, {@code nabla backends}.
 * Run it with {@code ./nabla} from the repository root, or
 * {@code java --add-modules jdk.incubator.vector -jar examples/target/nabla-examples.jar}.
 */
@Command(name = "nabla", mixinStandardHelpOptions = true, versionProvider = NablaCli.Version.class,
        description = "Nabla examples: train models on Fashion-MNIST, slim them into compact model files, predict, "
                + "serve them, watch them for drift and retrain them on what they served.",
        subcommands = {FashionMlpCommand.class, FashionCnnCommand.class, OptimizeCommand.class, PredictCommand.class,
                ServeCommand.class, DriftCommand.class, RetrainCommand.class, LifecycleCommand.class,
                BackendsCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'nabla help COMMAND' for the options of a command."})
public final class NablaCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Declared so that every command accepts and lists it; {@link CliErrors} acts on it. */
    @CommandLine.Option(names = CliErrors.VERBOSE, scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too, not only the one-line message.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                + spec.subcommands().keySet());
    }

    public static void main(String[] args) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // the plot is drawn off-screen
        }
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the CLI with the given output streams and returns the exit code (tests use this). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new NablaCli());
        cli.setOut(out);
        cli.setErr(err);
        CliErrors errors = new CliErrors(args);
        cli.setExecutionExceptionHandler(errors);
        cli.setParameterExceptionHandler(errors);
        return cli.execute(args);
    }

    /** {@code --version}: the artifact version, Java and OS. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = NablaCli.class.getPackage().getImplementationVersion();
            return new String[]{"nabla-examples " + (version == null ? "(development build)" : version),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                    System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
