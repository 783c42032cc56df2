package dev.nabla.cpu;

/** Per-thread scratch arrays, reused across calls (never shared between threads). */
final class Scratch {
    /** Length of one gather/scatter block. */
    static final int BLOCK = 1024;

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    final float[] f0 = new float[BLOCK];
    final float[] f1 = new float[BLOCK];
    final float[] f2 = new float[BLOCK];
    private float[] packA = new float[0];
    private float[] packB = new float[0];
    private float[] tile = new float[0];
    private float[] conv = new float[0];
    private float[] convWeights = new float[0];
    private byte[] int8 = new byte[0];
    private float[] quantizedInput = new float[0];

    static Scratch get() {
        return LOCAL.get();
    }

    float[] packA(int n) {
        if (packA.length < n) {
            packA = new float[n];
        }
        return packA;
    }

    float[] packB(int n) {
        if (packB.length < n) {
            packB = new float[n];
        }
        return packB;
    }

    /** Output block of one convolution task. */
    float[] conv(int n) {
        if (conv.length < n) {
            conv = new float[n];
        }
        return conv;
    }

    /**
     * A convolution's packed weights, filled by the calling thread and read by every task of that call: a slot of
     * its own, so that the tasks' packB, conv and tile buffers never overlap it.
     */
    float[] convWeights(int n) {
        if (convWeights.length < n) {
            convWeights = new float[n];
        }
        return convWeights;
    }

    /** A quantized input of an int8 layer, filled by the calling thread and read by every task of that call. */
    byte[] int8(int n) {
        if (int8.length < n) {
            int8 = new byte[n];
        }
        return int8;
    }

    /** A linear layer's quantized input in float, read by the GEMM's tasks (which use packA, packB and tile). */
    float[] quantizedInput(int n) {
        if (quantizedInput.length < n) {
            quantizedInput = new float[n];
        }
        return quantizedInput;
    }

    float[] tile(int n) {
        if (tile.length < n) {
            tile = new float[n];
        }
        return tile;
    }
}
