// Random numbers made on the device (dev.nabla.spi.Backend#random): Philox4x32-10 words converted exactly as
// dev.nabla.spi.RandomDistribution defines (dev.nabla.random.Philox is the reference).
//
// Kernels (extern "C"); out is contiguous and points at the operand's first element (the host adds the layout's
// offset to the pointer); element i of out is element g = offset + i (mod 2^64) of the stream keyed by seed:
//   nabla_random_uniform_f32(float *out, long long n, unsigned long long seed, unsigned long long offset,
//                            double a, double b)
//   nabla_random_uniform_f64(double *out, ... same ...)           uniform in [a, b)
//   nabla_random_normal_f32(float *out, ... same ...)             mean a, standard deviation b (Box-Muller)
//   nabla_random_normal_f64(double *out, ... same ...)
//   nabla_random_bernoulli_f32(float *out, ... same ...)          p = a (b unused): 1 or 0
//   nabla_random_bernoulli_f64(double *out, ... same ...)
//   nabla_random_bernoulli_b8(unsigned char *out, ... same ...)
//   nabla_random_integers_i64(long long *out, long long n, unsigned long long seed, unsigned long long offset,
//                             long long low, long long high)      uniform in [low, high)
// Any grid and block size: one thread computes one Philox block (4 or 2 elements) per iteration of a grid-stride
// loop over the blocks that the range touches, so a grid of ceil((n + 3) / 4 / blockDim) blocks covers it in one
// iteration. Values never depend on the split. Uniform, bernoulli and integers are bit-identical to the
// reference; normal uses the device's log/sqrt/cos/sin in double (the reference uses StrictMath): FLOAT32 agrees
// except, rarely, by one float ulp; FLOAT64 within a few double ulps.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_PHILOX_M0 0xD2511F53u
#define NABLA_PHILOX_M1 0xCD9E8D57u
#define NABLA_PHILOX_W0 0x9E3779B9u
#define NABLA_PHILOX_W1 0xBB67AE85u

__device__ __forceinline__ void nabla_philox(unsigned int c0, unsigned int c1, unsigned int c2, unsigned int c3,
                                             unsigned int k0, unsigned int k1, unsigned int w[4]) {
#pragma unroll
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += NABLA_PHILOX_W0;
            k1 += NABLA_PHILOX_W1;
        }
        unsigned long long p0 = (unsigned long long) NABLA_PHILOX_M0 * c0;
        unsigned long long p1 = (unsigned long long) NABLA_PHILOX_M1 * c2;
        unsigned int n0 = (unsigned int) (p1 >> 32) ^ c1 ^ k0;
        unsigned int n1 = (unsigned int) p1;
        unsigned int n2 = (unsigned int) (p0 >> 32) ^ c3 ^ k1;
        unsigned int n3 = (unsigned int) p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
    }
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
}

__device__ __forceinline__ unsigned long long nabla_word64(const unsigned int w[4], int lane) {
    return (unsigned long long) w[2 * lane] | ((unsigned long long) w[2 * lane + 1] << 32);
}

__device__ __forceinline__ float nabla_u24(unsigned int x) { return (float) (x >> 8) * 5.9604644775390625e-8f; }
__device__ __forceinline__ double nabla_u53(unsigned long long y) { return (double) (y >> 11) * 1.1102230246251565e-16; }

__device__ __forceinline__ double nabla_box_muller(double u1, double u2, bool second) {
    double r = sqrt(-2.0 * log(u1));
    double t = 6.283185307179586 * u2; // 2 * Math.PI
    return r * (second ? sin(t) : cos(t));
}

// The largest float below b (Philox.floatBelow).
__device__ __forceinline__ float nabla_float_below(double b) {
    float f = (float) b;
    return f >= b ? nabla_next_down(f) : f;
}

struct nabla_gen_uniform_f32 {
    enum { LANES = 4 };
    __device__ __forceinline__ static float value(const unsigned int w[4], int lane, double a, double b) {
        float v = (float) (a + (b - a) * (double) nabla_u24(w[lane]));
        if (a < b && v >= b) v = nabla_float_below(b);
        return v;
    }
};
struct nabla_gen_uniform_f64 {
    enum { LANES = 2 };
    __device__ __forceinline__ static double value(const unsigned int w[4], int lane, double a, double b) {
        double v = a + (b - a) * nabla_u53(nabla_word64(w, lane));
        if (a < b && v >= b) v = nabla_next_down(b);
        return v;
    }
};
struct nabla_gen_normal_f32 {
    enum { LANES = 4 };
    __device__ __forceinline__ static float value(const unsigned int w[4], int lane, double a, double b) {
        int p = lane & ~1;
        double u1 = (double) ((w[p] >> 8) + 1) * 5.9604644775390625e-8;
        double u2 = (double) nabla_u24(w[p + 1]);
        return (float) (a + b * nabla_box_muller(u1, u2, (lane & 1) != 0));
    }
};
struct nabla_gen_normal_f64 {
    enum { LANES = 2 };
    __device__ __forceinline__ static double value(const unsigned int w[4], int lane, double a, double b) {
        double u1 = (double) ((nabla_word64(w, 0) >> 11) + 1) * 1.1102230246251565e-16;
        double u2 = nabla_u53(nabla_word64(w, 1));
        return a + b * nabla_box_muller(u1, u2, lane != 0);
    }
};
template <class T> struct nabla_gen_bernoulli {
    enum { LANES = 4 };
    __device__ __forceinline__ static T value(const unsigned int w[4], int lane, double a, double) {
        return (double) w[lane] * 2.3283064365386963e-10 < a ? (T) 1 : (T) 0;
    }
};
struct nabla_gen_integers {
    enum { LANES = 2 };
    __device__ __forceinline__ static long long value(const unsigned int w[4], int lane, long long low,
                                                      long long high) {
        unsigned long long range = (unsigned long long) high - (unsigned long long) low;
        return (long long) ((unsigned long long) low + __umul64hi(nabla_word64(w, lane), range));
    }
};

template <class G, class T, class P>
__device__ __forceinline__ void nabla_random_body(T *out, long long n, unsigned long long seed,
                                                  unsigned long long offset, P a, P b) {
    const int shift = G::LANES == 4 ? 2 : 1;
    const unsigned long long lanes = G::LANES;
    unsigned long long first = offset >> shift;
    long long blocks = (long long) (((offset & (lanes - 1)) + (unsigned long long) n + lanes - 1) >> shift);
    unsigned long long counterMask = ~0ULL >> shift; // block numbers wrap with g (mod 2^64)
    unsigned int k0 = (unsigned int) seed, k1 = (unsigned int) (seed >> 32);
    NABLA_FOR_EACH(t, blocks) {
        unsigned long long c = (first + (unsigned long long) t) & counterMask;
        unsigned int w[4];
        nabla_philox((unsigned int) c, (unsigned int) (c >> 32), 0u, 0u, k0, k1, w);
#pragma unroll
        for (int lane = 0; lane < G::LANES; lane++) {
            unsigned long long i = ((c << shift) + (unsigned long long) lane) - offset;
            if (i < (unsigned long long) n) {
                out[i] = G::value(w, lane, a, b);
            }
        }
    }
}

#define NABLA_RANDOM(NAME, G, T, P)                                                         \
    extern "C" __global__ void NAME(T *out, long long n, unsigned long long seed, unsigned long long offset, \
                                    P a, P b) {                                             \
        nabla_random_body<G, T, P>(out, n, seed, offset, a, b);                             \
    }

NABLA_RANDOM(nabla_random_uniform_f32, nabla_gen_uniform_f32, float, double)
NABLA_RANDOM(nabla_random_uniform_f64, nabla_gen_uniform_f64, double, double)
NABLA_RANDOM(nabla_random_normal_f32, nabla_gen_normal_f32, float, double)
NABLA_RANDOM(nabla_random_normal_f64, nabla_gen_normal_f64, double, double)
NABLA_RANDOM(nabla_random_bernoulli_f32, nabla_gen_bernoulli<float>, float, double)
NABLA_RANDOM(nabla_random_bernoulli_f64, nabla_gen_bernoulli<double>, double, double)
NABLA_RANDOM(nabla_random_bernoulli_b8, nabla_gen_bernoulli<unsigned char>, unsigned char, double)
NABLA_RANDOM(nabla_random_integers_i64, nabla_gen_integers, long long, long long)
