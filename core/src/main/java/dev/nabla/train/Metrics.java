package dev.nabla.train;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

/** Classification metrics on logits [N, C] and integer labels [N]. */
public final class Metrics {
    private Metrics() {
    }

    /** Number of rows whose largest logit is at the label. */
    public static long correct(Tensor logits, Tensor labels) {
        return correctOnDevice(logits, labels).itemLong();
    }

    /** {@link #correct} as a 0-d INT64 tensor on the logits' device: counted without waiting for the device. */
    public static Tensor correctOnDevice(Tensor logits, Tensor labels) {
        check("correct", logits, labels);
        return logits.argmax(1, false).eq(labels.to(DType.INT64)).to(DType.INT64).sum();
    }

    public static double accuracy(Tensor logits, Tensor labels) {
        return labels.numel() == 0 ? Double.NaN : correct(logits, labels) / (double) labels.numel();
    }

    /** Fraction of rows whose label is among the {@code k} largest logits. */
    public static double topKAccuracy(Tensor logits, Tensor labels, int k) {
        check("topKAccuracy", logits, labels);
        if (k <= 0 || k > logits.size(1)) {
            throw new IllegalArgumentException("topKAccuracy: k must be in [1, " + logits.size(1) + "], found " + k);
        }
        // The label is in the top k when fewer than k classes score strictly higher than it.
        Tensor labelScore = logits.gather(1, labels.to(DType.INT64).unsqueeze(1));
        Tensor higher = logits.gt(labelScore).to(DType.INT64).sum(1);
        return higher.lt(k).to(DType.INT64).sum().itemLong() / (double) labels.numel();
    }

    /** {@code counts[true][predicted]} over the rows. */
    public static long[][] confusionMatrix(Tensor logits, Tensor labels, int numClasses) {
        check("confusionMatrix", logits, labels);
        long[] predicted = logits.argmax(1, false).toLongArray();
        long[] actual = labels.toLongArray();
        long[][] counts = new long[numClasses][numClasses];
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] < 0 || actual[i] >= numClasses || predicted[i] >= numClasses) {
                throw new IllegalArgumentException("confusionMatrix: row " + i + " has label " + actual[i]
                        + " and prediction " + predicted[i] + "; both must lie in [0, " + numClasses + ")");
            }
            counts[(int) actual[i]][(int) predicted[i]]++;
        }
        return counts;
    }

    private static void check(String op, Tensor logits, Tensor labels) {
        if (logits.rank() != 2 || labels.rank() != 1 || logits.size(0) != labels.size(0)) {
            throw new ShapeException(op + ": expected logits [N, C] and labels [N], found "
                    + Shapes.str(logits.shape()) + " and " + Shapes.str(labels.shape()));
        }
    }
}
