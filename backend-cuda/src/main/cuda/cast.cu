// Strided copy with dtype conversion: dev.nabla.spi.Backend#copy between any two of the eight dtypes
// (same-dtype copies included, for strided -> contiguous gathers).
//
// Kernels (extern "C"):
//   nabla_cast_<from>_<to>(const From *src, NablaLayout ls, To *dst, NablaLayout ld, long long n)
// for from, to in {b8, i8, i32, i64, bf16, f16, f32, f64} (64 kernels). Any grid and block size.
// Conversions are the CPU backend's (Java's casts; see nabla_types.cuh):
//   float/double/half -> int/long: truncation toward zero, saturating at the target's range, NaN -> 0;
//   -> int8: as Java's (byte) (int) x for floating sources, the low 8 bits for integer sources;
//   long -> int: the low 32 bits;  -> bool: x != 0 (NaN is true);  bool -> 1 or 0;
//   int/long -> float/double and double -> float: round to nearest even;
//   -> bf16/f16: the value first becomes a float (as above), then rounds to nearest even (HalfFloats);
//   bf16/f16 -> other: the exact float, then as from f32; same half dtype: the bits are copied.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

template <class From, class To>
__device__ __forceinline__ void nabla_cast_body(const From *src, const NablaLayout &ls, To *dst,
                                                const NablaLayout &ld, long long n) {
    NABLA_FOR_EACH(i, n) {
        To v;
        nabla_assign(v, src[nabla_offset(ls, i)]);
        dst[nabla_offset(ld, i)] = v;
    }
}

#define NABLA_CAST(FS, FROM, TS, TO)                                                        \
    extern "C" __global__ void nabla_cast_##FS##_##TS(const FROM *src, NablaLayout ls, TO *dst, \
                                                      NablaLayout ld, long long n) {        \
        nabla_cast_body<FROM, TO>(src, ls, dst, ld, n);                                     \
    }

#define NABLA_CAST_FROM(FS, FROM)                                                           \
    NABLA_CAST(FS, FROM, b8, unsigned char)                                                 \
    NABLA_CAST(FS, FROM, i8, signed char)                                                   \
    NABLA_CAST(FS, FROM, i32, int)                                                          \
    NABLA_CAST(FS, FROM, i64, long long)                                                    \
    NABLA_CAST(FS, FROM, bf16, nabla_bf16)                                                  \
    NABLA_CAST(FS, FROM, f16, nabla_f16)                                                    \
    NABLA_CAST(FS, FROM, f32, float)                                                        \
    NABLA_CAST(FS, FROM, f64, double)

NABLA_CAST_FROM(b8, unsigned char)
NABLA_CAST_FROM(i8, signed char)
NABLA_CAST_FROM(i32, int)
NABLA_CAST_FROM(i64, long long)
NABLA_CAST_FROM(bf16, nabla_bf16)
NABLA_CAST_FROM(f16, nabla_f16)
NABLA_CAST_FROM(f32, float)
NABLA_CAST_FROM(f64, double)
