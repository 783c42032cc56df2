// Strided element-wise binary ops: out = a (op) b over one shape, each operand with its own
// strides (a zero stride broadcasts), as dev.nabla.spi.Backend#binary.
//
// Kernels (extern "C"):
//   nabla_{add,sub,mul,div}_{f32,f64}(const T *a, NablaLayout la, const T *b, NablaLayout lb,
//                                      T *out, NablaLayout lo, long long n)
// out may be a or b (in-place ops): each thread reads its two inputs before it writes, and an
// output layout never maps two indices to one element (core never writes through a broadcast view).
// IEEE semantics as Java's float/double arithmetic: round to nearest, x/0 = ±inf, 0/0 = NaN.
// Fast-math is never used (build-ptx.sh passes no --use_fast_math), so division is IEEE-correct.
#include "nabla_layout.cuh"

#define NABLA_BINARY(NAME, T, EXPR)                                                    \
    extern "C" __global__ void NAME(const T *a, NablaLayout la, const T *b,            \
                                    NablaLayout lb, T *out, NablaLayout lo,            \
                                    long long n) {                                     \
        NABLA_FOR_EACH(i, n) {                                                         \
            T x = a[nabla_offset(la, i)];                                              \
            T y = b[nabla_offset(lb, i)];                                              \
            out[nabla_offset(lo, i)] = (EXPR);                                         \
        }                                                                              \
    }

NABLA_BINARY(nabla_add_f32, float, x + y)
NABLA_BINARY(nabla_sub_f32, float, x - y)
NABLA_BINARY(nabla_mul_f32, float, x * y)
NABLA_BINARY(nabla_div_f32, float, x / y)
NABLA_BINARY(nabla_add_f64, double, x + y)
NABLA_BINARY(nabla_sub_f64, double, x - y)
NABLA_BINARY(nabla_mul_f64, double, x * y)
NABLA_BINARY(nabla_div_f64, double, x / y)
