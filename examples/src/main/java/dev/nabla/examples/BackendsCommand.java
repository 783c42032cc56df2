package dev.nabla.examples;

import dev.nabla.BackendInfo;
import dev.nabla.Nabla;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code nabla backends}: which backends were found, which can run here, and why not. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List the backends on the class path and whether they can run here (and why not).")
public final class BackendsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                + Runtime.getRuntime().availableProcessors() + " processors");
        List<BackendInfo> backends = Nabla.backends();
        if (backends.isEmpty()) {
            out.println("No backend found: add nabla-backend-cpu to the class path.");
            return 1;
        }
        backends.forEach(out::println);
        return 0;
    }
}
