// Strided element-wise unary ops: out = f(x), as dev.nabla.spi.Backend#unary with the CPU backend's semantics.
//
// Kernels (extern "C"), one signature for all:
//   nabla_<op>_<dtype>(const T *x, NablaLayout lx, T *out, NablaLayout lo, long long n, double alpha)
// Any grid and block size (grid-stride loop). out may alias x element for element (in-place).
//   dtype f32, f64: neg abs sign exp expm1 log log1p sqrt rsqrt reciprocal sin cos tanh sigmoid erf
//                   relu leaky_relu floor ceil round
//   dtype i32, i64: neg abs sign relu (wrapping: neg/abs of the minimum value is the minimum value)
//   dtype b8:       logical_not
// alpha is LEAKY_RELU's negative slope (for f32 used as (float) alpha, as the CPU backend does); the other ops
// ignore it. Semantics (Java's):
//   f32 transcendental ops (exp expm1 log log1p sqrt rsqrt sin cos tanh sigmoid erf) and floor/ceil/round are
//   computed in double and rounded once to float, as the CPU backend does ((float) Math.exp(x) ...), so they
//   match it to the last bit except where the device's double libm and Java's differ in the last double ulp
//   near a float rounding boundary (rare); f64 ones are within the device libm's few ulps of Java's.
//   reciprocal f32 is 1f / x in float. rsqrt is 1 / sqrt(x). round is Math.rint (half to even).
//   abs clears the sign bit; sign is Math.signum (NaN, +-0 unchanged); relu is Math.max(x, 0) (NaN stays NaN,
//   -0 becomes +0); leaky_relu is x > 0 ? x : alpha * x.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_UNARY(NAME, T, EXPR)                                                          \
    extern "C" __global__ void NAME(const T *x, NablaLayout lx, T *out, NablaLayout lo,     \
                                    long long n, double alpha) {                            \
        NABLA_FOR_EACH(i, n) {                                                              \
            T v = x[nabla_offset(lx, i)];                                                   \
            out[nabla_offset(lo, i)] = (EXPR);                                              \
        }                                                                                   \
    }

// float ops that the CPU backend computes in double: (float) f((double) v)
#define NABLA_UNARY_FLOAT_VIA_DOUBLE(OP, FN) NABLA_UNARY(nabla_##OP##_f32, float, (float) FN((double) v))
#define NABLA_UNARY_DOUBLE(OP, FN) NABLA_UNARY(nabla_##OP##_f64, double, FN(v))
#define NABLA_UNARY_BOTH(OP, FN) NABLA_UNARY_FLOAT_VIA_DOUBLE(OP, FN) NABLA_UNARY_DOUBLE(OP, FN)

__device__ __forceinline__ double nabla_rsqrt_d(double v) { return 1.0 / sqrt(v); }

NABLA_UNARY(nabla_neg_f32, float, -v)
NABLA_UNARY(nabla_neg_f64, double, -v)
NABLA_UNARY(nabla_abs_f32, float, __uint_as_float(__float_as_uint(v) & 0x7FFFFFFFu))
NABLA_UNARY(nabla_abs_f64, double, __longlong_as_double(__double_as_longlong(v) & 0x7FFFFFFFFFFFFFFFLL))
NABLA_UNARY(nabla_sign_f32, float, nabla_fsignum(v))
NABLA_UNARY(nabla_sign_f64, double, nabla_fsignum(v))
NABLA_UNARY_BOTH(exp, exp)
NABLA_UNARY_BOTH(expm1, expm1)
NABLA_UNARY_BOTH(log, log)
NABLA_UNARY_BOTH(log1p, log1p)
NABLA_UNARY_BOTH(sqrt, sqrt)
NABLA_UNARY_BOTH(rsqrt, nabla_rsqrt_d)
NABLA_UNARY(nabla_reciprocal_f32, float, 1.0f / v)
NABLA_UNARY(nabla_reciprocal_f64, double, 1.0 / v)
NABLA_UNARY_BOTH(sin, sin)
NABLA_UNARY_BOTH(cos, cos)
NABLA_UNARY_BOTH(tanh, tanh)
NABLA_UNARY_BOTH(sigmoid, nabla_sigmoid)
NABLA_UNARY_BOTH(erf, erf)
NABLA_UNARY(nabla_relu_f32, float, nabla_jmax(v, 0.0f))
NABLA_UNARY(nabla_relu_f64, double, nabla_jmax(v, 0.0))
NABLA_UNARY(nabla_leaky_relu_f32, float, v > 0 ? v : (float) alpha * v)
NABLA_UNARY(nabla_leaky_relu_f64, double, v > 0 ? v : alpha * v)
NABLA_UNARY_BOTH(floor, floor)
NABLA_UNARY_BOTH(ceil, ceil)
NABLA_UNARY_BOTH(round, rint)

#define NABLA_UNARY_INT(SUFFIX, T)                                                          \
    NABLA_UNARY(nabla_neg_##SUFFIX, T, nabla_wneg(v))                                       \
    NABLA_UNARY(nabla_abs_##SUFFIX, T, v < 0 ? nabla_wneg(v) : v)                           \
    NABLA_UNARY(nabla_sign_##SUFFIX, T, (T) (v > 0 ? 1 : v < 0 ? -1 : 0))                   \
    NABLA_UNARY(nabla_relu_##SUFFIX, T, v > 0 ? v : (T) 0)

NABLA_UNARY_INT(i32, int)
NABLA_UNARY_INT(i64, long long)

NABLA_UNARY(nabla_logical_not_b8, unsigned char, (unsigned char) (v ? 0 : 1))
