package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.Operand;

import static dev.nabla.cpu.Elementwise.buf;

/**
 * Linear layers with int8-quantized inputs. With few rows the input is quantized to int8 once and each output is an
 * int8 dot product with its weight row summed in int32 ({@link FloatKernels#dotInt8}), then scaled, biased and
 * activated: a layer with few rows is a matrix-vector product bound by reading the weights, and int8 weights are a
 * quarter of the bytes (the example CNN's 3136x128 layer at one row: 15.9 us in int8 against 28.6 us in float,
 * Int8DotBenchmark, one thread). With more rows the float GEMM's FMA (16 multiply-adds an instruction, against
 * about 5 for the widening int8 path the Vector API allows) wins, so the quantized input goes through the float
 * GEMM with the dequantized weights instead, in a scratch buffer: no tensor memory either way.
 */
final class Quantized {
    /** Rows up to which int8 is used. */
    static final int MAX_ROWS = 4;
    /** Work from which the outputs are spread over the threads. */
    static final long PARALLEL_WORK = 1L << 16;

    private final FloatKernels k;
    private final MatMul matmul;

    Quantized(FloatKernels kernels, MatMul matmul) {
        this.k = kernels;
        this.matmul = matmul;
    }

    boolean linear(Operand x, Operand wq, Operand ws, Operand wf, Operand bias, double inputScale,
                   FusedActivation activation, Operand out) {
        if (x.dtype() != DType.FLOAT32 || wq.dtype() != DType.INT8 || ws.dtype() != DType.FLOAT32
                || wf.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32
                || (bias != null && bias.dtype() != DType.FLOAT32) || !x.layout().isContiguous()
                || !wq.layout().isContiguous() || !out.layout().isContiguous()) {
            return false;
        }
        int m = x.shape()[0];
        int kk = x.shape()[1];
        if (m == 0 || kk == 0) {
            return false;
        }
        float[] xa = buf(x).floats();
        int xo = x.layout().offset();
        float sf = (float) inputScale;
        if (m > MAX_ROWS) {
            return floatProducts(x, xa, xo, m, kk, sf, wf, bias, activation, out);
        }
        byte[] q = Scratch.get().int8(m * kk);
        boolean[] nan = new boolean[m]; // int8 has no NaN: such a row's outputs are NaN, as in float
        for (int r = 0; r < m; r++) {
            for (int i = r * kk; i < (r + 1) * kk; i++) {
                float level = level(xa[xo + i], sf);
                nan[r] |= level != level;
                q[i] = (byte) level;
            }
        }
        int o = wq.shape()[0];
        byte[] w = buf(wq).bytes();
        int wo = wq.layout().offset();
        float[] scale = buf(ws).floats();
        int so = ws.layout().offset();
        float[] b = bias == null ? null : buf(bias).floats();
        int bo = bias == null ? 0 : bias.layout().offset();
        float[] oa = buf(out).floats();
        int oo = out.layout().offset();
        boolean relu = activation == FusedActivation.RELU;
        int threads = Parallel.threads();
        int chunk = Math.max(1, (o + threads - 1) / threads);
        Parallel.forChunks(o, chunk, (long) m * o * kk >= PARALLEL_WORK ? 0 : Integer.MAX_VALUE, (lo, hi) -> {
            for (int j = lo; j < hi; j++) {
                float s = sf * scale[so + j];
                for (int r = 0; r < m; r++) {
                    float v = nan[r] ? Float.NaN
                            : k.dotInt8(q, r * kk, w, wo + j * kk, kk) * s + (b == null ? 0f : b[bo + j]);
                    oa[oo + r * o + j] = relu ? Math.max(v, 0f) : v;
                }
            }
        });
        return true;
    }

    /**
     * The int8 level of {@code x} at scale {@code s}: {@code clamp(rint(x / s), -127, 127)}, what core's composed
     * form (div, round, clamp) computes; NaN stays NaN.
     */
    static float level(float x, float s) {
        return Math.max(-127f, Math.min(127f, (float) Math.rint(x / s)));
    }

    /** The quantized input, {@code level(x, s) * s}, in a scratch buffer, times the float weights. */
    private boolean floatProducts(Operand x, float[] xa, int xo, int m, int kk, float sf, Operand wf, Operand bias,
                                  FusedActivation activation, Operand out) {
        float[] q = Scratch.get().quantizedInput(m * kk);
        for (int i = 0; i < m * kk; i++) {
            q[i] = level(xa[xo + i], sf) * sf;
        }
        Operand input = new Operand(new CpuBuffer(DType.FLOAT32, q), dev.nabla.spi.Layout.contiguous(m, kk));
        return matmul.linear(input, wf, bias, activation, out);
    }
}
