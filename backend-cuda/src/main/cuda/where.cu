// Strided select: out = cond ? a : b (dev.nabla.spi.Backend#where), for every dtype.
//
// Kernels (extern "C"):
//   nabla_where_<dtype>(const unsigned char *cond, NablaLayout lc, const T *a, NablaLayout la, const T *b,
//                       NablaLayout lb, T *out, NablaLayout lo, long long n)
// for dtype in b8 i8 i32 i64 bf16 f16 f32 f64 (T as in nabla_types.cuh; the element bits are copied unchanged).
// cond is BOOL: any non-zero byte selects a. Any grid and block size; out may alias a, b or cond's buffer
// element for element.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_WHERE(SUFFIX, T)                                                              \
    extern "C" __global__ void nabla_where_##SUFFIX(const unsigned char *cond, NablaLayout lc, const T *a, \
                                                    NablaLayout la, const T *b, NablaLayout lb, T *out, \
                                                    NablaLayout lo, long long n) {          \
        NABLA_FOR_EACH(i, n) {                                                              \
            T v = cond[nabla_offset(lc, i)] ? a[nabla_offset(la, i)] : b[nabla_offset(lb, i)]; \
            out[nabla_offset(lo, i)] = v;                                                   \
        }                                                                                   \
    }

NABLA_WHERE(b8, unsigned char)
NABLA_WHERE(i8, signed char)
NABLA_WHERE(i32, int)
NABLA_WHERE(i64, long long)
NABLA_WHERE(bf16, nabla_bf16)
NABLA_WHERE(f16, nabla_f16)
NABLA_WHERE(f32, float)
NABLA_WHERE(f64, double)
