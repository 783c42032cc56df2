package dev.nabla.serving.capture;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process that {@link CaptureKillTest} kills: captures requests {@code PREFIX0, PREFIX1, ...} without end and
 * prints what is committed: {@code FLUSHED i} once every request up to {@code i} is (a flush returned), and
 * {@code LABELLED i} once feedback for request {@code i} returned ATTACHED. Feedback is sent right after the offer,
 * so that it takes the path where the record is still queued.
 */
public final class CrashingWriter {
    /** Requests offered between two flushes. */
    static final int BURST = 20;

    private CrashingWriter() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        PrintStream out = System.out;
        CaptureStore store = CaptureStore.open(CaptureConfig.sqlite(file).withBatchSize(16));
        out.println("READY");
        out.flush();
        for (int burst = 0; ; burst++) {
            // A burst of requests offered back to back, so that many are queued when the flush starts.
            int first = burst * BURST;
            for (int i = first; i < first + BURST; i++) {
                store.offer(Records.of("fashion", prefix + i, 1 + i % 3, i));
                if (i % 4 == 0) {
                    PayloadSink.FeedbackResult result = store.attachLabels("fashion", prefix + i, labels(i));
                    out.println(result == PayloadSink.FeedbackResult.ATTACHED ? "LABELLED " + i
                            : "FEEDBACK-FAILED " + i + " " + result);
                }
            }
            store.flush();
            out.println("FLUSHED " + (first + BURST - 1));
            out.flush();
        }
    }

    /** The labels request {@code i} gets: one per sample. */
    static long[] labels(int i) {
        long[] labels = new long[1 + i % 3];
        for (int s = 0; s < labels.length; s++) {
            labels[s] = (i + s) % 10;
        }
        return labels;
    }
}
