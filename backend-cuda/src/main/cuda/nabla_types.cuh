// Element types and Java-exact scalar semantics shared by Nabla's CUDA kernels.
//
// Storage of the eight dtypes (suffix: C type):
//   b8   BOOL      unsigned char, 0 or 1 (kernels read any non-zero byte as true and write 0/1)
//   i8   INT8      signed char
//   i32  INT32     int
//   i64  INT64     long long
//   bf16 BFLOAT16  nabla_bf16 (a struct holding the raw 16 bits, so that overloads can tell it from f16)
//   f16  FLOAT16   nabla_f16  (idem; no cuda_fp16.h, so the same source compiles with g++ in the emulation test)
//   f32  FLOAT32   float
//   f64  FLOAT64   double
//
// Every function here reproduces what the CPU backend (plain Java) computes, bit for bit:
//   - float/double -> int/long/byte: Java's narrowing (NaN -> 0, saturation at the int/long range, truncation
//     toward zero; byte = low 8 bits of the int), written out explicitly because C leaves those cases undefined;
//   - long -> int, int -> byte: the low bits (two's complement);
//   - float <-> half: dev.nabla.HalfFloats (BFLOAT16: round to nearest even on the upper 16 bits, NaN keeps its
//     sign and upper payload with the quiet bit set; FLOAT16: Java's Float.floatToFloat16/float16ToFloat);
//   - Math.max/min (NaN propagates, max(-0, +0) = +0, min(-0, +0) = -0), Math.signum, Math.pow's special cases;
//   - integer +, -, *, negation: wrapping (computed in unsigned arithmetic, defined in C).
// build-ptx.sh compiles with --fmad=false: no multiply-add is contracted into an FMA, so a*b+c rounds twice, as
// Java does.
#ifndef NABLA_TYPES_CUH
#define NABLA_TYPES_CUH

struct nabla_bf16 {
    unsigned short bits;
};
struct nabla_f16 {
    unsigned short bits;
};

// ------------------------------------------------------------------ half <-> float

__device__ __forceinline__ float nabla_bf16_to_f32(nabla_bf16 h) {
    return __uint_as_float(((unsigned int) h.bits) << 16);
}

__device__ __forceinline__ nabla_bf16 nabla_f32_to_bf16(float f) {
    unsigned int bits = __float_as_uint(f);
    nabla_bf16 r;
    if (f != f) {
        r.bits = (unsigned short) ((bits >> 16) | 0x0040u);
        return r;
    }
    unsigned int bias = 0x7FFFu + ((bits >> 16) & 1u);
    r.bits = (unsigned short) ((bits + bias) >> 16);
    return r;
}

// Java's Float.float16ToFloat (exact).
__device__ __forceinline__ float nabla_f16_to_f32(nabla_f16 h) {
    unsigned int b = h.bits;
    unsigned int sign = (b & 0x8000u) << 16;
    unsigned int exp = (b >> 10) & 0x1Fu;
    unsigned int sig = b & 0x3FFu;
    if (exp == 0) {
        float v = (float) sig * 5.9604644775390625e-8f; // sig * 2^-24, exact
        return sign ? -v : v;
    }
    if (exp == 31) {
        return __uint_as_float(sign | 0x7F800000u | (sig << 13));
    }
    return __uint_as_float(sign | ((exp + 112u) << 23) | (sig << 13));
}

// Java's Float.floatToFloat16: round to nearest even, overflow to infinity from 65520 on, subnormals kept.
__device__ __forceinline__ nabla_f16 nabla_f32_to_f16(float f) {
    unsigned int doppel = __float_as_uint(f);
    unsigned int signBit = (doppel & 0x80000000u) >> 16;
    nabla_f16 r;
    if (f != f) {
        r.bits = (unsigned short) (signBit | 0x7C00u | ((doppel & 0x007FE000u) >> 13) | ((doppel & 0x00001FF0u) >> 4)
                                   | (doppel & 0x0000000Fu));
        return r;
    }
    float absF = __uint_as_float(doppel & 0x7FFFFFFFu);
    if (absF >= 65520.0f) {
        r.bits = (unsigned short) (signBit | 0x7C00u);
        return r;
    }
    if (absF <= 2.98023223876953125e-8f) { // 2^-25: half of the smallest subnormal, and below, round to zero
        r.bits = (unsigned short) signBit;
        return r;
    }
    int exp = (int) ((doppel >> 23) & 0xFFu) - 127; // Math.getExponent: f is normal here (|f| > 2^-25)
    int expdelta = 0;
    unsigned int msb = 0;
    if (exp < -14) {
        expdelta = -14 - exp;
        exp = -15;
        msb = 0x00800000u;
    }
    unsigned int fSignif = (doppel & 0x007FFFFFu) | msb;
    unsigned int signif = fSignif >> (13 + expdelta);
    unsigned int lsb = fSignif & (1u << (13 + expdelta));
    unsigned int round = fSignif & (1u << (12 + expdelta));
    unsigned int sticky = fSignif & ((1u << (12 + expdelta)) - 1u);
    if (round != 0 && (lsb | sticky) != 0) {
        signif++;
    }
    r.bits = (unsigned short) (signBit | ((((unsigned int) (exp + 15)) << 10) + signif));
    return r;
}

// ------------------------------------------------------------------ Java's narrowing conversions

__device__ __forceinline__ int nabla_d2i(double x) {
    if (x != x) {
        return 0;
    }
    if (x >= 2147483647.0) {
        return 2147483647;
    }
    if (x <= -2147483648.0) {
        return -2147483647 - 1;
    }
    return (int) x;
}

__device__ __forceinline__ long long nabla_d2l(double x) {
    if (x != x) {
        return 0;
    }
    if (x >= 9223372036854775808.0) {
        return 9223372036854775807LL;
    }
    if (x <= -9223372036854775808.0) {
        return -9223372036854775807LL - 1;
    }
    return (long long) x;
}

__device__ __forceinline__ int nabla_l2i(long long v) {
    return (int) (unsigned int) (unsigned long long) v;
}

__device__ __forceinline__ signed char nabla_i2b(int v) {
    return (signed char) (unsigned char) (unsigned int) v;
}

// ------------------------------------------------------------------ conversions from every dtype

// to FLOAT32 (as Java's (float)); halves exact
__device__ __forceinline__ float nabla_to_f32(float v) { return v; }
__device__ __forceinline__ float nabla_to_f32(double v) { return (float) v; }
__device__ __forceinline__ float nabla_to_f32(int v) { return (float) v; }
__device__ __forceinline__ float nabla_to_f32(long long v) { return (float) v; }
__device__ __forceinline__ float nabla_to_f32(signed char v) { return (float) v; }
__device__ __forceinline__ float nabla_to_f32(unsigned char v) { return v ? 1.0f : 0.0f; }
__device__ __forceinline__ float nabla_to_f32(nabla_bf16 v) { return nabla_bf16_to_f32(v); }
__device__ __forceinline__ float nabla_to_f32(nabla_f16 v) { return nabla_f16_to_f32(v); }

// to FLOAT64
__device__ __forceinline__ double nabla_to_f64(float v) { return v; }
__device__ __forceinline__ double nabla_to_f64(double v) { return v; }
__device__ __forceinline__ double nabla_to_f64(int v) { return v; }
__device__ __forceinline__ double nabla_to_f64(long long v) { return (double) v; }
__device__ __forceinline__ double nabla_to_f64(signed char v) { return v; }
__device__ __forceinline__ double nabla_to_f64(unsigned char v) { return v ? 1.0 : 0.0; }
__device__ __forceinline__ double nabla_to_f64(nabla_bf16 v) { return nabla_bf16_to_f32(v); }
__device__ __forceinline__ double nabla_to_f64(nabla_f16 v) { return nabla_f16_to_f32(v); }

// to INT32
__device__ __forceinline__ int nabla_to_i32(float v) { return nabla_d2i(v); }
__device__ __forceinline__ int nabla_to_i32(double v) { return nabla_d2i(v); }
__device__ __forceinline__ int nabla_to_i32(int v) { return v; }
__device__ __forceinline__ int nabla_to_i32(long long v) { return nabla_l2i(v); }
__device__ __forceinline__ int nabla_to_i32(signed char v) { return v; }
__device__ __forceinline__ int nabla_to_i32(unsigned char v) { return v ? 1 : 0; }
__device__ __forceinline__ int nabla_to_i32(nabla_bf16 v) { return nabla_d2i(nabla_bf16_to_f32(v)); }
__device__ __forceinline__ int nabla_to_i32(nabla_f16 v) { return nabla_d2i(nabla_f16_to_f32(v)); }

// to INT64
__device__ __forceinline__ long long nabla_to_i64(float v) { return nabla_d2l(v); }
__device__ __forceinline__ long long nabla_to_i64(double v) { return nabla_d2l(v); }
__device__ __forceinline__ long long nabla_to_i64(int v) { return v; }
__device__ __forceinline__ long long nabla_to_i64(long long v) { return v; }
__device__ __forceinline__ long long nabla_to_i64(signed char v) { return v; }
__device__ __forceinline__ long long nabla_to_i64(unsigned char v) { return v ? 1 : 0; }
__device__ __forceinline__ long long nabla_to_i64(nabla_bf16 v) { return nabla_d2l(nabla_bf16_to_f32(v)); }
__device__ __forceinline__ long long nabla_to_i64(nabla_f16 v) { return nabla_d2l(nabla_f16_to_f32(v)); }

// truth value (x != 0; NaN is true)
__device__ __forceinline__ bool nabla_truth(float v) { return v != 0.0f; }
__device__ __forceinline__ bool nabla_truth(double v) { return v != 0.0; }
__device__ __forceinline__ bool nabla_truth(int v) { return v != 0; }
__device__ __forceinline__ bool nabla_truth(long long v) { return v != 0; }
__device__ __forceinline__ bool nabla_truth(signed char v) { return v != 0; }
__device__ __forceinline__ bool nabla_truth(unsigned char v) { return v != 0; }
__device__ __forceinline__ bool nabla_truth(nabla_bf16 v) { return nabla_bf16_to_f32(v) != 0.0f; }
__device__ __forceinline__ bool nabla_truth(nabla_f16 v) { return nabla_f16_to_f32(v) != 0.0f; }

// Assignment with conversion into every destination dtype (dst = (D) src as the CPU backend's copy does).
template <class S> __device__ __forceinline__ void nabla_assign(float &d, S s) { d = nabla_to_f32(s); }
template <class S> __device__ __forceinline__ void nabla_assign(double &d, S s) { d = nabla_to_f64(s); }
template <class S> __device__ __forceinline__ void nabla_assign(int &d, S s) { d = nabla_to_i32(s); }
template <class S> __device__ __forceinline__ void nabla_assign(long long &d, S s) { d = nabla_to_i64(s); }
template <class S> __device__ __forceinline__ void nabla_assign(signed char &d, S s) { d = nabla_i2b(nabla_to_i32(s)); }
template <class S> __device__ __forceinline__ void nabla_assign(unsigned char &d, S s) { d = nabla_truth(s) ? 1 : 0; }
template <class S> __device__ __forceinline__ void nabla_assign(nabla_bf16 &d, S s) { d = nabla_f32_to_bf16(nabla_to_f32(s)); }
template <class S> __device__ __forceinline__ void nabla_assign(nabla_f16 &d, S s) { d = nabla_f32_to_f16(nabla_to_f32(s)); }
// same-dtype half copies keep the bits (NaN payloads included), as System.arraycopy does
__device__ __forceinline__ void nabla_assign(nabla_bf16 &d, nabla_bf16 s) { d = s; }
__device__ __forceinline__ void nabla_assign(nabla_f16 &d, nabla_f16 s) { d = s; }
// an int8 from a long keeps its low 8 bits (same as through the low 32)
__device__ __forceinline__ void nabla_assign(unsigned char &d, unsigned char s) { d = s ? 1 : 0; }

// ------------------------------------------------------------------ Java's Math functions

__device__ __forceinline__ bool nabla_neg_zero(float v) { return __float_as_uint(v) == 0x80000000u; }
__device__ __forceinline__ bool nabla_neg_zero(double v) {
    return (unsigned long long) __double_as_longlong(v) == 0x8000000000000000ULL;
}

// Math.max / Math.min for float and double
template <class T> __device__ __forceinline__ T nabla_jmax(T a, T b) {
    if (a != a) return a;
    if (a == 0 && b == 0 && nabla_neg_zero(a)) return b;
    return a >= b ? a : b;
}
template <class T> __device__ __forceinline__ T nabla_jmin(T a, T b) {
    if (a != a) return a;
    if (a == 0 && b == 0 && nabla_neg_zero(b)) return b;
    return a <= b ? a : b;
}
// Math.max / min for integers
template <class T> __device__ __forceinline__ T nabla_imax(T a, T b) { return a >= b ? a : b; }
template <class T> __device__ __forceinline__ T nabla_imin(T a, T b) { return a <= b ? a : b; }

// Math.signum (NaN and signed zeros returned as they are)
template <class T> __device__ __forceinline__ T nabla_fsignum(T v) {
    return v > 0 ? (T) 1 : v < 0 ? (T) -1 : v;
}

// Math.pow: C's pow except pow(x, NaN) = NaN for every x (C: pow(1, NaN) = 1) and pow(+-1, +-inf) = NaN (C: 1)
__device__ __forceinline__ double nabla_jpow(double x, double y) {
    if (y != y) return y;
    if (fabs(y) == __longlong_as_double(0x7FF0000000000000LL) && fabs(x) == 1.0) {
        return __longlong_as_double(0x7FF8000000000000LL);
    }
    return pow(x, y);
}

// the logistic function as dev.nabla.cpu.kernels.ScalarMath.sigmoid (in double)
__device__ __forceinline__ double nabla_sigmoid(double x) {
    if (x >= 0) {
        return 1.0 / (1.0 + exp(-x));
    }
    double e = exp(x);
    return e / (1.0 + e);
}

// Math.nextDown
__device__ __forceinline__ float nabla_next_down(float f) {
    if (f != f || f == -__uint_as_float(0x7F800000u)) return f;
    if (f == 0.0f) return -__uint_as_float(1u);
    unsigned int b = __float_as_uint(f);
    return __uint_as_float(f > 0.0f ? b - 1u : b + 1u);
}
__device__ __forceinline__ double nabla_next_down(double f) {
    if (f != f || f == -__longlong_as_double(0x7FF0000000000000LL)) return f;
    if (f == 0.0) return -__longlong_as_double(1LL);
    long long b = __double_as_longlong(f);
    return __longlong_as_double(f > 0.0 ? b - 1 : b + 1);
}

// +infinity of a floating type (overloaded on a dummy value)
__device__ __forceinline__ float nabla_inf_of(float) { return __uint_as_float(0x7F800000u); }
__device__ __forceinline__ double nabla_inf_of(double) { return __longlong_as_double(0x7FF0000000000000LL); }

// wrapping integer arithmetic
template <class T> struct nabla_unsigned_of;
template <> struct nabla_unsigned_of<int> { typedef unsigned int type; };
template <> struct nabla_unsigned_of<long long> { typedef unsigned long long type; };
template <class T> __device__ __forceinline__ T nabla_wadd(T a, T b) {
    typedef typename nabla_unsigned_of<T>::type U;
    return (T) ((U) a + (U) b);
}
template <class T> __device__ __forceinline__ T nabla_wsub(T a, T b) {
    typedef typename nabla_unsigned_of<T>::type U;
    return (T) ((U) a - (U) b);
}
template <class T> __device__ __forceinline__ T nabla_wmul(T a, T b) {
    typedef typename nabla_unsigned_of<T>::type U;
    return (T) ((U) a * (U) b);
}
template <class T> __device__ __forceinline__ T nabla_wneg(T a) {
    typedef typename nabla_unsigned_of<T>::type U;
    return (T) ((U) 0 - (U) a);
}

#endif
