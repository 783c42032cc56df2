package dev.nabla.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

class QuickStartTest {

    @Test
    void readmeExampleRunsAndPrintsGradients() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("loss   = tensor("), out);
        assertTrue(out.contains("gradFn=mean") || out.contains("gradFn=div"), out);
        assertTrue(out.matches("(?s).*dL/dw  = tensor\\(\\[\\[.*\\],\\s*\\[.*\\]\\]\\).*"), out);
    }
}
