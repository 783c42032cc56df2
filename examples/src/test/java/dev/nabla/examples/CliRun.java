package dev.nabla.examples;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code nabla} command line in this JVM, through the same entry point as the launcher. */
public record CliRun(int exitCode, String out, String err) {
    /** Runs {@code nabla ARGS...} and keeps what it printed. */
    public static CliRun nabla(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = NablaCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Standard output then standard error. */
    public String all() {
        return out + err;
    }
}
