package dev.nabla.examples;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsCommandTest {

    @Test
    void listsTheCpuBackendAsAvailable() {
        StringWriter out = new StringWriter();
        int code = NablaCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "backends");
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().matches("(?s).*cpu\\s+available\\s+\\(priority 0\\): pure Java.*"), out.toString());
    }
}
