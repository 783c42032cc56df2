// Batch normalization fast paths over contiguous FLOAT32 x seen as [N, C, S] (S = the product of the dimensions
// after 1; 1 for a [N, C] input), as dev.nabla.cpu.Norm computes them. Pointers at each operand's first element
// (the host adds layout offsets).
//
// Kernels (extern "C"):
//   nabla_batch_norm_stats_f32(const float *x, float *out, int n, int c, int s)
//       Backend#batchNormStats: out [2, C] = per channel mean (row 0) and biased variance (row 1). One block per
//       channel (grid-stride over channels: any grid), blockDim.x MUST be 256, static shared memory. Each thread
//       runs Welford's update in double over its elements, the block merges the partial (count, mean, M2) by Chan's
//       formula; the results round once to float (the CPU backend also works in double; agreement to rounding).
//   nabla_batch_norm_coefficients_f32(const float *mean, const float *var, const float *weight,
//                                     const float *bias, double eps, float *coef, int c)
//       coef [2, C] (scratch the host allocates): sc = weight / sqrt((double) var + eps) in double,
//       coef[ch] = (float) sc, coef[c + ch] = (float) (bias - mean * sc). Any grid and block size.
//   nabla_batch_norm_apply_f32(const float *x, const float *coef, float *out, long long total, int c, int s)
//       Backend#batchNorm after the coefficients: out = fmaf(x, coef[ch], coef[c + ch]) (Math.fma, bit for bit
//       the CPU backend's), ch = (i / s) % c, total = n * c * s. Any grid and block size; out may alias x.
//   nabla_batch_norm_backward_sums_f32(const float *gradOut, const float *x, const float *mean, const float *var,
//                                      const float *weight, double eps, int training, float *gradWeight,
//                                      float *gradBias, float *coef, int n, int c, int s)
//       Backend#batchNormBackward, first pass: per channel sumG = sum(gradOut), dot = sum(gradOut * (x - mean))
//       in double (block tree, order differs from the CPU's: agreement to rounding), then with
//       invstd = 1 / sqrt((double) var + eps): gradWeight = (float) (dot * invstd), gradBias = (float) sumG, and
//       coef [3, C] (scratch): scale = (float) (invstd * weight), proj = (float) (dot / M * invstd * invstd),
//       meanG = (float) (sumG / M) with M = n * s (proj and meanG only with training; else 0).
//       One block per channel, blockDim.x MUST be 256.
//   nabla_batch_norm_backward_input_f32(const float *gradOut, const float *x, const float *mean, const float *coef,
//                                       float *gradIn, long long total, int c, int s, int training)
//       second pass: gradIn = training ? (g - fmaf(x - mean, proj, meanG)) * scale : fmaf(g, scale, 0f).
//       Any grid and block size.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_NORM_THREADS 256

extern "C" __global__ void nabla_batch_norm_stats_f32(const float *x, float *out, int n, int c, int s) {
    __shared__ double sCount[NABLA_NORM_THREADS];
    __shared__ double sMean[NABLA_NORM_THREADS];
    __shared__ double sM2[NABLA_NORM_THREADS];
    unsigned int tid = threadIdx.x;
    long long perChannel = (long long) n * s;
    for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
        double count = 0, mean = 0, m2 = 0;
        for (long long j = tid; j < perChannel; j += NABLA_NORM_THREADS) {
            unsigned int i = (unsigned int) (j / s), k = (unsigned int) (j % s);
            double v = x[(i * (unsigned int) c + (unsigned int) ch) * (unsigned int) s + k];
            count += 1;
            double delta = v - mean;
            mean += delta / count;
            m2 += delta * (v - mean);
        }
        sCount[tid] = count;
        sMean[tid] = mean;
        sM2[tid] = m2;
        __syncthreads();
        for (unsigned int h = NABLA_NORM_THREADS / 2; h > 0; h >>= 1) {
            if (tid < h) {
                double na = sCount[tid], nb = sCount[tid + h];
                double total = na + nb;
                if (nb > 0) {
                    double delta = sMean[tid + h] - sMean[tid];
                    sMean[tid] = sMean[tid] + delta * (nb / total);
                    sM2[tid] = sM2[tid] + sM2[tid + h] + delta * delta * (na * nb / total);
                    sCount[tid] = total;
                }
            }
            __syncthreads();
        }
        if (tid == 0) {
            double var = sCount[0] > 0 ? sM2[0] / sCount[0] : 0.0;
            out[ch] = (float) sMean[0];
            out[c + ch] = (float) (var > 0 ? var : 0.0);
        }
        __syncthreads();
    }
}

extern "C" __global__ void nabla_batch_norm_coefficients_f32(const float *mean, const float *var, const float *weight,
                                                             const float *bias, double eps, float *coef, int c) {
    NABLA_FOR_EACH(ch, c) {
        double sc = (double) weight[ch] / sqrt((double) var[ch] + eps);
        coef[ch] = (float) sc;
        coef[c + ch] = (float) ((double) bias[ch] - (double) mean[ch] * sc);
    }
}

extern "C" __global__ void nabla_batch_norm_apply_f32(const float *x, const float *coef, float *out, long long total,
                                                      int c, int s) {
    NABLA_FOR_EACH(i, total) {
        unsigned int ch = ((unsigned int) i / (unsigned int) s) % (unsigned int) c;
        out[i] = fmaf(x[i], coef[ch], coef[c + ch]);
    }
}

extern "C" __global__ void nabla_batch_norm_backward_sums_f32(const float *gradOut, const float *x, const float *mean,
                                                              const float *var, const float *weight, double eps,
                                                              int training, float *gradWeight, float *gradBias,
                                                              float *coef, int n, int c, int s) {
    __shared__ double sSum[NABLA_NORM_THREADS];
    __shared__ double sDot[NABLA_NORM_THREADS];
    unsigned int tid = threadIdx.x;
    long long perChannel = (long long) n * s;
    for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
        double sum = 0, dot = 0;
        float m = mean[ch];
        for (long long j = tid; j < perChannel; j += NABLA_NORM_THREADS) {
            unsigned int i = (unsigned int) (j / s), k = (unsigned int) (j % s);
            unsigned int p = (i * (unsigned int) c + (unsigned int) ch) * (unsigned int) s + k;
            double g = gradOut[p];
            sum += g;
            dot += g * (double) (x[p] - m);
        }
        sSum[tid] = sum;
        sDot[tid] = dot;
        __syncthreads();
        for (unsigned int h = NABLA_NORM_THREADS / 2; h > 0; h >>= 1) {
            if (tid < h) {
                sSum[tid] += sSum[tid + h];
                sDot[tid] += sDot[tid + h];
            }
            __syncthreads();
        }
        if (tid == 0) {
            double count = (double) perChannel;
            double invstd = 1.0 / sqrt((double) var[ch] + eps);
            gradWeight[ch] = (float) (sDot[0] * invstd);
            gradBias[ch] = (float) sSum[0];
            coef[ch] = (float) (invstd * (double) weight[ch]);
            coef[c + ch] = training ? (float) (sDot[0] / count * invstd * invstd) : 0.0f;
            coef[2 * c + ch] = training ? (float) (sSum[0] / count) : 0.0f;
        }
        __syncthreads();
    }
}

extern "C" __global__ void nabla_batch_norm_backward_input_f32(const float *gradOut, const float *x, const float *mean,
                                                               const float *coef, float *gradIn, long long total,
                                                               int c, int s, int training) {
    NABLA_FOR_EACH(i, total) {
        unsigned int ch = ((unsigned int) i / (unsigned int) s) % (unsigned int) c;
        float g = gradOut[i];
        float scale = coef[ch];
        if (training) {
            gradIn[i] = (g - fmaf(x[i] - mean[ch], coef[c + ch], coef[2 * c + ch])) * scale;
        } else {
            gradIn[i] = fmaf(g, scale, 0.0f);
        }
    }
}
