// Fused fast paths over contiguous operands: Adam/AdamW steps (Backend#adamStep) and ReLU's gradient
// (Backend#reluBackward). Pointers point at each operand's first element (the host adds the layout offsets).
//
// Kernels (extern "C"), any grid and block size:
//   nabla_adam_f32(float *param, const float *grad, float *expAvg, float *expAvgSq, long long n,
//                  float decay, int coupled, float wd, float b1, float c1, float b2, float c2, float sqrtBc2,
//                  float eps, float stepScale)
//   nabla_adam_f64(double *param, const double *grad, double *expAvg, double *expAvgSq, long long n,
//                  double decay, int coupled, double wd, double b1, double c1, double b2, double c2,
//                  double sqrtBc2, double eps, double stepScale)
//     The host computes the scalars as the CPU backend's Optim.adamStep does (in double, then (float) for f32):
//       bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step), coupled = wd != 0 && !decoupled,
//       decay = wd != 0 && decoupled ? 1 - lr * wd : 1, sqrtBc2 = Math.sqrt(bc2), stepScale = -lr / bc1,
//       c1 = 1 - beta1, c2 = 1 - beta2.
//     Per element (f32 in float, f64 in double; no FMA, so it rounds like the CPU backend, bit for bit):
//       p = param * decay; g = coupled ? grad + p * wd : grad; m = expAvg * b1 + g * c1;
//       v = expAvgSq * b2 + (g * g) * c2; expAvg = m; expAvgSq = v;
//       param = p + (m / (sqrt(v) / sqrtBc2 + eps)) * stepScale      (f32: sqrt as (float) Math.sqrt(v))
//   nabla_relu_backward_f32(const float *grad, const float *input, float *out, long long n)
//   nabla_relu_backward_f64(const double *grad, const double *input, double *out, long long n)
//     out = input > 0 ? grad : 0 (0 where input is NaN); out may alias grad or input.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

template <class T>
__device__ __forceinline__ void nabla_adam_body(T *param, const T *grad, T *expAvg, T *expAvgSq, long long n,
                                                T decay, int coupled, T wd, T b1, T c1, T b2, T c2, T sqrtBc2,
                                                T eps, T stepScale) {
    NABLA_FOR_EACH(i, n) {
        T p = param[i] * decay;
        T g = coupled ? grad[i] + p * wd : grad[i];
        T m = expAvg[i] * b1 + g * c1;
        T v = expAvgSq[i] * b2 + (g * g) * c2;
        expAvg[i] = m;
        expAvgSq[i] = v;
        param[i] = p + (m / ((T) sqrt((double) v) / sqrtBc2 + eps)) * stepScale;
    }
}

extern "C" __global__ void nabla_adam_f32(float *param, const float *grad, float *expAvg, float *expAvgSq,
                                          long long n, float decay, int coupled, float wd, float b1, float c1,
                                          float b2, float c2, float sqrtBc2, float eps, float stepScale) {
    nabla_adam_body<float>(param, grad, expAvg, expAvgSq, n, decay, coupled, wd, b1, c1, b2, c2, sqrtBc2, eps,
                           stepScale);
}

extern "C" __global__ void nabla_adam_f64(double *param, const double *grad, double *expAvg, double *expAvgSq,
                                          long long n, double decay, int coupled, double wd, double b1, double c1,
                                          double b2, double c2, double sqrtBc2, double eps, double stepScale) {
    nabla_adam_body<double>(param, grad, expAvg, expAvgSq, n, decay, coupled, wd, b1, c1, b2, c2, sqrtBc2, eps,
                            stepScale);
}

#define NABLA_RELU_BACKWARD(SUFFIX, T)                                                      \
    extern "C" __global__ void nabla_relu_backward_##SUFFIX(const T *grad, const T *input, T *out, long long n) { \
        NABLA_FOR_EACH(i, n) { out[i] = input[i] > 0 ? grad[i] : (T) 0; }                   \
    }

NABLA_RELU_BACKWARD(f32, float)
NABLA_RELU_BACKWARD(f64, double)
