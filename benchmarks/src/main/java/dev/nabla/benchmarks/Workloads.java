package dev.nabla.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shapes the benchmarks run and the work each invocation does (floating-point operations or bytes
 * moved). One place, used by the benchmarks to build their inputs and by {@link Report} to turn times
 * into GFLOP/s and GB/s, so the two never disagree.
 */
public final class Workloads {
    private Workloads() {
    }

    /** Training batch size of the example trainers. */
    public static final int BATCH = 128;
    /** Steps of one Fashion-MNIST epoch at batch 128 (60,000 / 128, rounded up). */
    public static final int STEPS_PER_EPOCH = 469;

    /** FP32 FMA peak of the reference machine (issue #4), GFLOP/s, by thread count. */
    public static double peakGflops(int threads) {
        return threads <= 1 ? 228 : 415;
    }

    // ------------------------------------------------------------------ GEMM

    /**
     * One (batched) matrix product {@code out[b] = op(A[b]) op(B[b])}, out [batch, m, n], inner size k.
     * {@code transA}: A is stored as [k, m] (a transposed view, as {@code x.transpose(-1, -2)} gives);
     * {@code transB}: B is stored as [n, k]. {@code broadcastA}: one A for all batch entries (stride 0),
     * as the weight of a convolution is.
     */
    public record Gemm(String name, int batch, int m, int n, int k, boolean transA, boolean transB,
                       boolean broadcastA, String meaning) {
        public double flops() {
            return 2.0 * batch * m * n * k;
        }

        public String dims() {
            String s = (batch > 1 ? batch + "x " : "") + "[" + m + "x" + k + "]" + (transA ? "ᵀ" : "")
                    + "·[" + k + "x" + n + "]" + (transB ? "ᵀ" : "");
            return broadcastA ? s + " (A shared)" : s;
        }
    }

    /** Square n x n x n products. */
    public static Gemm square(int n) {
        return new Gemm("square", 1, n, n, n, false, false, false, "square");
    }

    /**
     * The products a training step of the example models runs, with the operand layouts Nabla's autograd
     * gives them. {@code Linear(in, out)} computes {@code x · Wᵀ} with W stored [out, in], so forward reads B
     * transposed; the input gradient is {@code g · W} (plain); the weight gradient is {@code xᵀ · g}
     * (A transposed). A convolution is {@code W[O, C·9] · cols[N, C·9, L]} with W shared over the batch;
     * its data gradient is {@code Wᵀ · g} and its filter gradient {@code g · colsᵀ}, batched, then summed
     * over the batch.
     */
    public static final Map<String, Gemm> LAYER_GEMMS = layerGemms();

    private static Map<String, Gemm> layerGemms() {
        Map<String, Gemm> m = new LinkedHashMap<>();
        linear(m, "mlp.fc1", 784, 256);
        linear(m, "mlp.fc2", 256, 128);
        linear(m, "mlp.fc3", 128, 10);
        conv(m, "cnn.conv1", 1, 32, 28, false);
        conv(m, "cnn.conv2", 32, 64, 14, true);
        linear(m, "cnn.fc1", 3136, 128);
        linear(m, "cnn.fc2", 128, 10);
        return m;
    }

    private static void linear(Map<String, Gemm> map, String layer, int in, int out) {
        put(map, new Gemm(layer + ".fwd", 1, BATCH, out, in, false, true, false, "x·Wᵀ"));
        put(map, new Gemm(layer + ".gradIn", 1, BATCH, in, out, false, false, false, "g·W"));
        // W is used as the view Wᵀ, so autograd computes its gradient as gᵀ·x, already in W's [out x in] layout
        put(map, new Gemm(layer + ".gradW", 1, out, in, BATCH, true, false, false, "gᵀ·x"));
    }

    private static void conv(Map<String, Gemm> map, String layer, int c, int o, int hw, boolean dataGrad) {
        int kk = c * 9, l = hw * hw;
        put(map, new Gemm(layer + ".fwd", BATCH, o, l, kk, false, false, true, "W·cols"));
        if (dataGrad) { // the first layer's input needs no gradient, so training never runs this one
            put(map, new Gemm(layer + ".gradIn", BATCH, kk, l, o, true, false, true, "Wᵀ·g"));
        }
        put(map, new Gemm(layer + ".gradW", BATCH, o, kk, l, false, true, false, "g·colsᵀ"));
    }

    private static void put(Map<String, Gemm> map, Gemm g) {
        map.put(g.name(), g);
    }

    // ------------------------------------------------------------------ convolution

    /** A 3x3, stride 1, pad 1 convolution of the example CNN at batch 128. */
    public record Conv(String name, int batch, int inChannels, int outChannels, int size) {
        /** Multiply-adds x 2 of one pass (forward, data gradient and filter gradient each do this many). */
        public double flops() {
            return 2.0 * batch * outChannels * inChannels * 9 * size * size;
        }

        public String dims() {
            return "N=" + batch + " " + inChannels + "→" + outChannels + " " + size + "x" + size + " 3x3 pad 1";
        }
    }

    public static final Map<String, Conv> CONVS = Map.of(
            "conv1", new Conv("conv1", BATCH, 1, 32, 28),
            "conv2", new Conv("conv2", BATCH, 32, 64, 14));

    // ------------------------------------------------------------------ memory-bound kernels

    /** Bytes an elementwise op moves per invocation: every input read once, the output written once. */
    public static double elementwiseBytes(String op, long size) {
        int arrays = switch (op) {
            case "add", "mul" -> 3;
            default -> 2;
        };
        return 4.0 * arrays * size;
    }

    /** Rows and columns of a reduction shape written "RxC". */
    public static int[] matrix(String shape) {
        String[] p = shape.split("x");
        return new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    /** Bytes a sum moves: the input read once, the output written once. */
    public static double reductionBytes(String kind, String shape) {
        int[] rc = matrix(shape);
        long in = (long) rc[0] * rc[1];
        long out = switch (kind) {
            case "sumAll" -> 1;
            case "sumLastDim" -> rc[0];
            case "sumFirstDim" -> rc[1];
            default -> throw new IllegalArgumentException("unknown reduction " + kind);
        };
        return 4.0 * (in + out);
    }

    /** Softmax over the rows of [4096, 1024]. */
    public static final int SOFTMAX_ROWS = 4096;
    public static final int SOFTMAX_COLS = 1024;

    /** Bytes a softmax moves at least: the input read once, the output written once. */
    public static double softmaxBytes() {
        return 8.0 * SOFTMAX_ROWS * SOFTMAX_COLS;
    }
}
