package dev.nabla.cpu;

import dev.nabla.DType;
import dev.nabla.cpu.kernels.FloatKernels;
import dev.nabla.spi.Operand;

import static dev.nabla.cpu.Elementwise.buf;

/**
 * Fused optimizer steps: one pass over each parameter's buffers, in parallel over fixed chunks above
 * {@link Parallel#MIN_PARALLEL_ELEMENTS}. Each element goes through the same operations, in the same order
 * and dtype, as core's composite update, so the fused step rounds like the composite one.
 */
final class Optim {
    private final FloatKernels k;

    Optim(FloatKernels kernels) {
        this.k = kernels;
    }

    boolean adamStep(Operand param, Operand grad, Operand expAvg, Operand expAvgSq, double lr, double beta1,
                     double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        DType dt = param.dtype();
        Operand[] all = {param, grad, expAvg, expAvgSq};
        int n = param.numel();
        for (Operand o : all) {
            if (o.dtype() != dt || o.numel() != n || (n > 0 && !o.layout().isContiguous())) {
                return false;
            }
        }
        if (dt != DType.FLOAT32 && dt != DType.FLOAT64) {
            return false;
        }
        if (n == 0) {
            return true;
        }
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        boolean coupled = weightDecay != 0 && !decoupled;
        double decay = weightDecay != 0 && decoupled ? 1 - lr * weightDecay : 1;
        double sqrtBc2 = Math.sqrt(bc2);
        double stepScale = -lr / bc1;
        int po = param.layout().offset(), go = grad.layout().offset();
        int mo = expAvg.layout().offset(), vo = expAvgSq.layout().offset();
        if (dt == DType.FLOAT32) {
            float[] p = buf(param).floats(), g = buf(grad).floats(), m = buf(expAvg).floats(), v = buf(expAvgSq).floats();
            float fDecay = (float) decay, fWd = (float) weightDecay, b1 = (float) beta1, c1 = (float) (1 - beta1);
            float b2 = (float) beta2, c2 = (float) (1 - beta2), fSqrt = (float) sqrtBc2, fEps = (float) eps;
            float fScale = (float) stepScale;
            Parallel.forChunks(n, Plan.GRAIN, Parallel.MIN_PARALLEL_ELEMENTS, (lo, hi) ->
                    k.adam(p, po + lo, g, go + lo, m, mo + lo, v, vo + lo, hi - lo, fDecay, coupled, fWd, b1, c1, b2, c2,
                            fSqrt, fEps, fScale));
        } else {
            double[] p = buf(param).doubles(), g = buf(grad).doubles(), m = buf(expAvg).doubles(), v = buf(expAvgSq).doubles();
            double c1 = 1 - beta1, c2 = 1 - beta2;
            Parallel.forChunks(n, Plan.GRAIN, Parallel.MIN_PARALLEL_ELEMENTS, (lo, hi) -> {
                for (int i = lo; i < hi; i++) {
                    double pi = p[po + i] * decay;
                    double gi = coupled ? g[go + i] + pi * weightDecay : g[go + i];
                    double mi = m[mo + i] * beta1 + gi * c1;
                    double vi = v[vo + i] * beta2 + (gi * gi) * c2;
                    m[mo + i] = mi;
                    v[vo + i] = vi;
                    p[po + i] = pi + (mi / (Math.sqrt(vi) / sqrtBc2 + eps)) * stepScale;
                }
            });
        }
        return true;
    }
}
