// Batched matrix product for what cuBLAS does not take (dev.nabla.spi.Backend#matmul): integer dtypes, and float
// operand layouts that no strided-batched GEMM describes. One thread per output element, a sequential loop over K:
// simple and exact for integers (wrapping like Java's int/long arithmetic); the float path is a fallback only.
//
// Kernels (extern "C"):
//   nabla_matmul_<dtype>(const T *a, const T *b, T *out, int batch, int m, int n, int k,
//                        int sab, int sam, int sak, int sbb, int sbk, int sbn, int sob, int som, int son,
//                        int aOff, int bOff, int oOff)
// for dtype in f32 f64 i32 i64: out[b][i][j] = sum over p of a[b][i][p] * b[b][p][j], element (b, i, p) of a at
// aOff + b*sab + i*sam + p*sak (sab = 0 broadcasts a batch of one), and likewise for b and out. The sum runs in
// T in order p = 0, 1, ... (the CPU backend's order for f64/i32/i64). Any grid and block size (grid-stride loop).
#include "nabla_layout.cuh"

// acc + x * y, wrapping for the integer types (signed overflow is undefined in C++, so through unsigned).
__device__ __forceinline__ float nabla_madd(float acc, float x, float y) { return acc + x * y; }
__device__ __forceinline__ double nabla_madd(double acc, double x, double y) { return acc + x * y; }
__device__ __forceinline__ int nabla_madd(int acc, int x, int y) {
    return (int) ((unsigned int) acc + (unsigned int) x * (unsigned int) y);
}
__device__ __forceinline__ long long nabla_madd(long long acc, long long x, long long y) {
    return (long long) ((unsigned long long) acc + (unsigned long long) x * (unsigned long long) y);
}

#define NABLA_MATMUL(NAME, T)                                                                          \
    extern "C" __global__ void NAME(const T *a, const T *b, T *out, int batch, int m, int n, int k,    \
                                    int sab, int sam, int sak, int sbb, int sbk, int sbn, int sob,     \
                                    int som, int son, int aOff, int bOff, int oOff) {                  \
        long long total = (long long) batch * m * n;                                                   \
        NABLA_FOR_EACH(t, total) {                                                                     \
            unsigned int j = (unsigned int) (t % n);                                                   \
            unsigned int i = (unsigned int) ((t / n) % m);                                             \
            unsigned int bi = (unsigned int) (t / ((long long) m * n));                                \
            const T *ar = a + aOff + bi * sab + i * sam;                                               \
            const T *bc = b + bOff + bi * sbb + j * sbn;                                               \
            T acc = 0;                                                                                 \
            for (int p = 0; p < k; ++p) {                                                              \
                acc = nabla_madd(acc, ar[(unsigned int) p * sak], bc[(unsigned int) p * sbk]);           \
            }                                                                                          \
            out[oOff + bi * sob + i * som + j * son] = acc;                                            \
        }                                                                                              \
    }

NABLA_MATMUL(nabla_matmul_f32, float)
NABLA_MATMUL(nabla_matmul_f64, double)
NABLA_MATMUL(nabla_matmul_i32, int)
NABLA_MATMUL(nabla_matmul_i64, long long)
