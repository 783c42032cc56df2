package dev.nabla.cpu.kernels;

import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;

/**
 * Gets the SIMD kernels compiled by C2 before real work needs them. Until C2 compiles a Vector API method,
 * the interpreter and C1 run it on heap-allocated vectors, tens of times slower than scalar code, and a
 * method that training calls only a few times per step (an optimizer update, an activation) can take
 * seconds to get there. One daemon thread calls the common kernels on small private arrays a few thousand
 * times each, right after the kernels are chosen, which usually overlaps with loading data and building the
 * model. It computes nothing that is kept. The system property {@code nabla.cpu.warmup=false} turns it off.
 */
final class Warmup {
    private static final int CALLS = 3000;

    private Warmup() {
    }

    static void start(FloatKernels k) {
        Thread t = new Thread(() -> run(k), "nabla-simd-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run(FloatKernels k) {
        try {
            int size = 4096;
            float[] a = new float[size], b = new float[size], c = new float[size], d = new float[size];
            float[] e = new float[size];
            boolean[] m = new boolean[size];
            int[] idx = new int[size];
            for (int i = 0; i < size; i++) {
                a[i] = (i % 7) - 3.25f;
                b[i] = (i % 5) + 0.5f;
                d[i] = 0.01f * (i % 3);
                m[i] = (i & 1) == 0;
                idx[i] = (i * 7) % 1000;
            }
            int mr = k.gemmMr(), nr = k.gemmNr();
            int[] rowOff = new int[256];
            for (int i = 0; i < rowOff.length; i++) {
                rowOff[i] = (i * 13) % 512;
            }
            int[] tileRows = {0, 800, 1600, 2400};
            int[] tileTaps = {0, 1, 31};
            int[] tileTaps9 = {0, 1, 2, 30, 31, 32, 60, 61, 62};
            for (int call = 0; call < CALLS; call++) {
                int n = 16 + (call % 9) * 37; // whole vectors and tails
                for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM}) {
                    k.binary(op, a, 0, b, 0, c, 0, n);
                    k.binaryVS(op, a, 0, 1.5f, c, 0, n);
                    k.binarySV(op, 1.5f, b, 0, c, 0, n);
                }
                for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.EXP, UnaryOp.LOG, UnaryOp.NEG, UnaryOp.SQRT, UnaryOp.TANH,
                        UnaryOp.SIGMOID}) {
                    k.unary(op, b, 0, c, 0, n, 0f);
                }
                k.compare(BinaryOp.GT, a, 0, 1, b, 0, 0, m, 0, n);
                k.compare(BinaryOp.EQ, a, 0, 1, b, 0, 1, m, 0, n);
                k.where(m, 0, a, 0, 1, b, 0, 0, c, 0, n);
                k.where(m, 0, a, 0, 1, b, 0, 1, c, 0, n);
                k.reluBackward(b, 0, a, 0, c, 0, n);
                k.sum(a, 0, n);
                k.max(a, 0, n);
                k.dot(a, 0, b, 0, n);
                k.axpy(0.5f, a, 0, c, 0, n);
                k.gather(a, 0, idx, 0, c, 0, n);
                k.copy2d(a, 0, 40, c, 0, 37, 8, 14 + call % 20);
                int side = 14 + (call % 3) * 7; // the example CNN's 28 and 14, and 21: whole vectors and tails
                k.maxPool2x2(a, 0, side, side, c, 0, 4);
                k.maxPool2x2Backward(a, 0, side, side, b, 0, e, 0, 4);
                double[] acc = new double[2];
                k.sumSquaredDeviations(a, 0, n, 0.5f); // batch norm
                k.sumAndCenteredDot(b, 0, a, 0, n, 0.5f, acc);
                k.scaleShift(a, 0, 1.5f, 0.25f, c, 0, n);
                k.batchNormInputGradient(b, 0, a, 0, 0.5f, 0.1f, 0.2f, 1.5f, c, 0, n);
                k.adam(e, 0, a, 0, d, 0, b, 0, n, 1f, false, 0f, 0.9f, 0.1f, 0.999f, 0.001f, 0.5f, 1e-8f, -1e-3f);
                k.adam(e, 0, a, 0, d, 0, b, 0, n, 1f, true, 0.01f, 0.9f, 0.1f, 0.999f, 0.001f, 0.5f, 1e-8f, -1e-3f);
                int kc = 8 + call % 64;
                k.packSliver(a, 0, rowOff, 0, kc, nr - (call & 1) * 3, c, 0);
                k.gemmMicro(kc, a, 0, b, 0, c, 0, nr, (call & 1) == 0);
                k.gemmMicroGatherA(kc, a, 0, rowOff, 0, idx, 0, b, 0, c, 0, nr, (call & 1) == 0);
                k.dotTile4x3(a, tileRows, 30 * 30, 28, b, tileTaps, 30 * 30, 30, 1, 4, side, e, 0);
                k.convRow8(b, 0, 9, d, 0, a, 0, tileTaps9, c, 0, 30, side);
            }
        } catch (RuntimeException | Error ignored) {
            // warming up is best effort and must never disturb the program
        }
    }
}
