// Strided copy with dtype conversion: dev.nabla.spi.Backend#copy between FLOAT32, FLOAT64,
// INT32 and INT64 (same-dtype copies included, for strided -> contiguous gathers).
//
// Kernels (extern "C"):
//   nabla_cast_<from>_<to>(const From *src, NablaLayout ls, To *dst, NablaLayout ld, long long n)
// for from, to in {f32, f64, i32, i64}.
// Conversions follow Java's casts, which the CPU backend uses:
//   float/double -> int/long: truncation toward zero, saturating at the target's range, NaN -> 0
//     (C's (int)/(long long) on the device compile to cvt.rzi.s32/s64, which saturate and map
//     NaN to 0 in PTX; the C standard leaves these cases undefined, PTX does not);
//   int/long -> float/double and double -> float: round to nearest even;
//   long -> int: keeps the low 32 bits (two's complement), as Java's (int).
#include "nabla_layout.cuh"

#define NABLA_CAST(NAME, FROM, TO)                                                     \
    extern "C" __global__ void NAME(const FROM *src, NablaLayout ls, TO *dst,          \
                                    NablaLayout ld, long long n) {                     \
        NABLA_FOR_EACH(i, n) { dst[nabla_offset(ld, i)] = (TO) src[nabla_offset(ls, i)]; } \
    }

// long long -> int: through unsigned so the truncation is defined behaviour in C.
__device__ __forceinline__ int nabla_low32(long long v) {
    return (int) (unsigned int) (unsigned long long) v;
}

#define NABLA_CAST_FROM(FROM_NAME, FROM)                                               \
    NABLA_CAST(nabla_cast_##FROM_NAME##_f32, FROM, float)                              \
    NABLA_CAST(nabla_cast_##FROM_NAME##_f64, FROM, double)                             \
    NABLA_CAST(nabla_cast_##FROM_NAME##_i64, FROM, long long)

NABLA_CAST_FROM(f32, float)
NABLA_CAST_FROM(f64, double)
NABLA_CAST_FROM(i32, int)
NABLA_CAST_FROM(i64, long long)

NABLA_CAST(nabla_cast_f32_i32, float, int)
NABLA_CAST(nabla_cast_f64_i32, double, int)
NABLA_CAST(nabla_cast_i32_i32, int, int)

extern "C" __global__ void nabla_cast_i64_i32(const long long *src, NablaLayout ls, int *dst,
                                              NablaLayout ld, long long n) {
    NABLA_FOR_EACH(i, n) { dst[nabla_offset(ld, i)] = nabla_low32(src[nabla_offset(ls, i)]); }
}
