// Strided element-wise binary ops, as dev.nabla.spi.Backend#binary with the CPU backend's semantics, and their
// scalar forms (Backend#binaryScalar).
//
// Kernels (extern "C"):
//   nabla_<op>_<dtype>(const T *a, NablaLayout la, const T *b, NablaLayout lb, O *out, NablaLayout lo, long long n)
//   nabla_<op>_scalar_<dtype>(const T *a, NablaLayout la, double scalar, int scalarOnLeft, O *out, NablaLayout lo,
//                             long long n)
//     out = scalarOnLeft ? s (op) a : a (op) s, with s = the scalar converted to T once (f32: (float) scalar;
//     i32/i64: Java's (int)/(long); b8: scalar != 0).
// O is T for the arithmetic ops and unsigned char (BOOL) for the comparisons and logical ops.
// Any grid and block size (grid-stride loop); out may alias a or b element for element (in-place).
//   f32, f64: add sub mul div pow maximum minimum eq ne lt le gt ge
//   i32, i64: add sub mul maximum minimum eq ne lt le gt ge   (no div/pow: core promotes integers first)
//   b8:       logical_and logical_or logical_xor, mul minimum (= and), maximum (= or), eq ne lt le gt ge
//             (false < true)
// Semantics (Java's): IEEE float/double arithmetic without fused multiply-add; integer add/sub/mul wrap;
// maximum/minimum are Math.max/min (NaN propagates, max(-0, +0) = +0); pow is (float) Math.pow((double) a,
// (double) b) for f32 and Math.pow for f64 (the device's pow plus Java's special cases: pow(x, NaN) = NaN,
// pow(+-1, +-inf) = NaN); comparisons are IEEE (NaN compares false except ne).
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_OP(NAME, EXPR)                                                                \
    struct NAME {                                                                           \
        template <class T> __device__ __forceinline__ static auto apply(T x, T y) { return (EXPR); } \
    };

NABLA_OP(nabla_op_fadd, x + y)
NABLA_OP(nabla_op_fsub, x - y)
NABLA_OP(nabla_op_fmul, x * y)
NABLA_OP(nabla_op_fdiv, x / y)
NABLA_OP(nabla_op_fpow, (T) nabla_jpow((double) x, (double) y))
NABLA_OP(nabla_op_fmax, nabla_jmax(x, y))
NABLA_OP(nabla_op_fmin, nabla_jmin(x, y))
NABLA_OP(nabla_op_iadd, nabla_wadd(x, y))
NABLA_OP(nabla_op_isub, nabla_wsub(x, y))
NABLA_OP(nabla_op_imul, nabla_wmul(x, y))
NABLA_OP(nabla_op_imax, nabla_imax(x, y))
NABLA_OP(nabla_op_imin, nabla_imin(x, y))
NABLA_OP(nabla_op_eq, (unsigned char) (x == y))
NABLA_OP(nabla_op_ne, (unsigned char) (x != y))
NABLA_OP(nabla_op_lt, (unsigned char) (x < y))
NABLA_OP(nabla_op_le, (unsigned char) (x <= y))
NABLA_OP(nabla_op_gt, (unsigned char) (x > y))
NABLA_OP(nabla_op_ge, (unsigned char) (x >= y))
// BOOL operands: any non-zero byte is true
NABLA_OP(nabla_op_and, (unsigned char) ((x != 0) & (y != 0)))
NABLA_OP(nabla_op_or, (unsigned char) ((x != 0) | (y != 0)))
NABLA_OP(nabla_op_xor, (unsigned char) ((x != 0) ^ (y != 0)))
NABLA_OP(nabla_op_beq, (unsigned char) ((x != 0) == (y != 0)))
NABLA_OP(nabla_op_bne, (unsigned char) ((x != 0) != (y != 0)))
NABLA_OP(nabla_op_blt, (unsigned char) (!(x != 0) & (y != 0)))
NABLA_OP(nabla_op_ble, (unsigned char) (!(x != 0) | (y != 0)))
NABLA_OP(nabla_op_bgt, (unsigned char) ((x != 0) & !(y != 0)))
NABLA_OP(nabla_op_bge, (unsigned char) ((x != 0) | !(y != 0)))

__device__ __forceinline__ float nabla_scalar_as(float, double s) { return (float) s; }
__device__ __forceinline__ double nabla_scalar_as(double, double s) { return s; }
__device__ __forceinline__ int nabla_scalar_as(int, double s) { return nabla_d2i(s); }
__device__ __forceinline__ long long nabla_scalar_as(long long, double s) { return nabla_d2l(s); }
__device__ __forceinline__ unsigned char nabla_scalar_as(unsigned char, double s) { return s != 0 ? 1 : 0; }

template <class Op, class T, class O>
__device__ __forceinline__ void nabla_binary_body(const T *a, const NablaLayout &la, const T *b,
                                                  const NablaLayout &lb, O *out, const NablaLayout &lo,
                                                  long long n) {
    NABLA_FOR_EACH(i, n) {
        T x = a[nabla_offset(la, i)];
        T y = b[nabla_offset(lb, i)];
        out[nabla_offset(lo, i)] = (O) Op::apply(x, y);
    }
}

template <class Op, class T, class O>
__device__ __forceinline__ void nabla_binary_scalar_body(const T *a, const NablaLayout &la, double scalar,
                                                         int scalarOnLeft, O *out, const NablaLayout &lo,
                                                         long long n) {
    T s = nabla_scalar_as(T(), scalar);
    if (scalarOnLeft) {
        NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = (O) Op::apply(s, a[nabla_offset(la, i)]); }
    } else {
        NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = (O) Op::apply(a[nabla_offset(la, i)], s); }
    }
}

#define NABLA_BINARY(NAME, SUFFIX, OP, T, O)                                                \
    extern "C" __global__ void nabla_##NAME##_##SUFFIX(const T *a, NablaLayout la, const T *b, NablaLayout lb, \
                                            O *out, NablaLayout lo, long long n) {          \
        nabla_binary_body<OP, T, O>(a, la, b, lb, out, lo, n);                              \
    }                                                                                       \
    extern "C" __global__ void nabla_##NAME##_scalar_##SUFFIX(const T *a, NablaLayout la, double scalar, \
                                                   int scalarOnLeft, O *out, NablaLayout lo, long long n) { \
        nabla_binary_scalar_body<OP, T, O>(a, la, scalar, scalarOnLeft, out, lo, n);        \
    }

#define NABLA_COMPARISONS(SUFFIX, T, P)                                                     \
    NABLA_BINARY(eq, SUFFIX, nabla_op_##P##eq, T, unsigned char)                           \
    NABLA_BINARY(ne, SUFFIX, nabla_op_##P##ne, T, unsigned char)                           \
    NABLA_BINARY(lt, SUFFIX, nabla_op_##P##lt, T, unsigned char)                           \
    NABLA_BINARY(le, SUFFIX, nabla_op_##P##le, T, unsigned char)                           \
    NABLA_BINARY(gt, SUFFIX, nabla_op_##P##gt, T, unsigned char)                           \
    NABLA_BINARY(ge, SUFFIX, nabla_op_##P##ge, T, unsigned char)

#define NABLA_FLOAT_BINARY(SUFFIX, T)                                                       \
    NABLA_BINARY(add, SUFFIX, nabla_op_fadd, T, T)                                         \
    NABLA_BINARY(sub, SUFFIX, nabla_op_fsub, T, T)                                         \
    NABLA_BINARY(mul, SUFFIX, nabla_op_fmul, T, T)                                         \
    NABLA_BINARY(div, SUFFIX, nabla_op_fdiv, T, T)                                         \
    NABLA_BINARY(pow, SUFFIX, nabla_op_fpow, T, T)                                         \
    NABLA_BINARY(maximum, SUFFIX, nabla_op_fmax, T, T)                                     \
    NABLA_BINARY(minimum, SUFFIX, nabla_op_fmin, T, T)                                     \
    NABLA_COMPARISONS(SUFFIX, T, )

#define NABLA_INT_BINARY(SUFFIX, T)                                                         \
    NABLA_BINARY(add, SUFFIX, nabla_op_iadd, T, T)                                         \
    NABLA_BINARY(sub, SUFFIX, nabla_op_isub, T, T)                                         \
    NABLA_BINARY(mul, SUFFIX, nabla_op_imul, T, T)                                         \
    NABLA_BINARY(maximum, SUFFIX, nabla_op_imax, T, T)                                     \
    NABLA_BINARY(minimum, SUFFIX, nabla_op_imin, T, T)                                     \
    NABLA_COMPARISONS(SUFFIX, T, )

NABLA_FLOAT_BINARY(f32, float)
NABLA_FLOAT_BINARY(f64, double)
NABLA_INT_BINARY(i32, int)
NABLA_INT_BINARY(i64, long long)
NABLA_BINARY(logical_and, b8, nabla_op_and, unsigned char, unsigned char)
NABLA_BINARY(logical_or, b8, nabla_op_or, unsigned char, unsigned char)
NABLA_BINARY(logical_xor, b8, nabla_op_xor, unsigned char, unsigned char)
NABLA_BINARY(mul, b8, nabla_op_and, unsigned char, unsigned char)
NABLA_BINARY(minimum, b8, nabla_op_and, unsigned char, unsigned char)
NABLA_BINARY(maximum, b8, nabla_op_or, unsigned char, unsigned char)
NABLA_COMPARISONS(b8, unsigned char, b)
