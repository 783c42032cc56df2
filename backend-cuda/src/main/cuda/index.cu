// gather, indexSelect and scatterAdd (dev.nabla.spi.Backend), indices INT64.
//
// Kernels (extern "C"):
//   nabla_gather_<dtype>(const T *src, NablaLayout ls, int dimStride, int dimSize,
//                        const long long *index, NablaLayout li, T *out, NablaLayout lo,
//                        long long *err, int errOp, int dim, long long n)
//       for dtype in b8 i8 i32 i64 bf16 f16 f32 f64.  out[i] = src[offset(ls, i) + index[offset(li, i)] * dimStride].
//       gather(src, dim, index, out): ls has index's shape with src's strides except strides[dim] = 0 and src's
//         offset; li is index's layout; lo out's; dimStride = src's stride of dim, dimSize = src's size of dim;
//         errOp = 1.
//       indexSelect(src, dim, index, out): the same kernel with ls = out's shape, src's strides except
//         strides[dim] = 0, src's offset; li = out's shape, all strides 0 except strides[dim] = index's stride,
//         index's offset; lo = out's layout; errOp = 3.
//   nabla_scatter_add_<dtype>(T *dst, NablaLayout ld, int dimStride, int dimSize,
//                             const long long *index, NablaLayout li, const T *src, NablaLayout lsrc,
//                             long long *err, int errOp, int dim, long long n)
//       for dtype in i32 i64 f32 f64 (the CPU backend's set). dst[offset(ld, i) + index[offset(li, i)] * dimStride]
//       += src[offset(lsrc, i)] with atomicAdd, over n = index's numel; ld has index's shape with dst's strides
//       except strides[dim] = 0 and dst's offset; errOp = 2. Float sums are applied in an unspecified order
//       (the CPU backend adds in index order: results agree to rounding, exactly for integers).
// Any grid and block size (grid-stride loops).
//
// Error flag: err points to 5 long longs of device memory, zero when no error is pending (the host zeroes them once
// at allocation and again after it has read an error). A thread that meets an index outside [0, dimSize) skips its
// element and, if err[0] is still 0, claims it with atomicCAS(err[0]: 0 -> errOp) and writes
// err[1] = its linear element index i, err[2] = the bad index value, err[3] = dim, err[4] = dimSize.
// One error is recorded (whichever thread claims the flag first: not necessarily the lowest i); later ones are
// dropped until the host clears the flag. The host reads the 40 bytes at its next synchronization (toArray,
// synchronize, or any later call on that thread), clears them and throws
//   IndexOutOfBoundsException(op + ": index " + err[2] + " is out of bounds for dim " + err[3] + " with size "
//   + err[4]),  op = 1 "gather", 2 "scatterAdd", 3 "indexSelect"  (the CPU backend's message).
// After an error the output's contents are unspecified (the CPU backend writes nothing for scatterAdd).
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

__device__ __forceinline__ void nabla_index_error(long long *err, int errOp, long long i, long long v, int dim,
                                                  int dimSize) {
    unsigned long long *flag = (unsigned long long *) err;
    if (atomicCAS(flag, 0ULL, (unsigned long long) errOp) == 0ULL) {
        err[1] = i;
        err[2] = v;
        err[3] = dim;
        err[4] = dimSize;
    }
}

template <class T>
__device__ __forceinline__ void nabla_gather_body(const T *src, const NablaLayout &ls, int dimStride, int dimSize,
                                                  const long long *index, const NablaLayout &li, T *out,
                                                  const NablaLayout &lo, long long *err, int errOp, int dim,
                                                  long long n) {
    NABLA_FOR_EACH(i, n) {
        long long v = index[nabla_offset(li, i)];
        if (v < 0 || v >= dimSize) {
            nabla_index_error(err, errOp, i, v, dim, dimSize);
            continue;
        }
        out[nabla_offset(lo, i)] = src[nabla_offset(ls, i) + (unsigned int) v * (unsigned int) dimStride];
    }
}

#define NABLA_GATHER(SUFFIX, T)                                                             \
    extern "C" __global__ void nabla_gather_##SUFFIX(const T *src, NablaLayout ls, int dimStride, int dimSize, \
                                                     const long long *index, NablaLayout li, T *out, \
                                                     NablaLayout lo, long long *err, int errOp, int dim, \
                                                     long long n) {                         \
        nabla_gather_body<T>(src, ls, dimStride, dimSize, index, li, out, lo, err, errOp, dim, n); \
    }

NABLA_GATHER(b8, unsigned char)
NABLA_GATHER(i8, signed char)
NABLA_GATHER(i32, int)
NABLA_GATHER(i64, long long)
NABLA_GATHER(bf16, nabla_bf16)
NABLA_GATHER(f16, nabla_f16)
NABLA_GATHER(f32, float)
NABLA_GATHER(f64, double)

__device__ __forceinline__ void nabla_atomic_add(float *p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void nabla_atomic_add(double *p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void nabla_atomic_add(int *p, int v) { atomicAdd(p, v); }
__device__ __forceinline__ void nabla_atomic_add(long long *p, long long v) {
    atomicAdd((unsigned long long *) p, (unsigned long long) v); // two's complement: wrapping, like Java's long +=
}

template <class T>
__device__ __forceinline__ void nabla_scatter_add_body(T *dst, const NablaLayout &ld, int dimStride, int dimSize,
                                                       const long long *index, const NablaLayout &li, const T *src,
                                                       const NablaLayout &lsrc, long long *err, int errOp, int dim,
                                                       long long n) {
    NABLA_FOR_EACH(i, n) {
        long long v = index[nabla_offset(li, i)];
        if (v < 0 || v >= dimSize) {
            nabla_index_error(err, errOp, i, v, dim, dimSize);
            continue;
        }
        nabla_atomic_add(dst + nabla_offset(ld, i) + (unsigned int) v * (unsigned int) dimStride,
                         src[nabla_offset(lsrc, i)]);
    }
}

#define NABLA_SCATTER_ADD(SUFFIX, T)                                                        \
    extern "C" __global__ void nabla_scatter_add_##SUFFIX(T *dst, NablaLayout ld, int dimStride, int dimSize, \
                                                          const long long *index, NablaLayout li, const T *src, \
                                                          NablaLayout lsrc, long long *err, int errOp, int dim, \
                                                          long long n) {                    \
        nabla_scatter_add_body<T>(dst, ld, dimStride, dimSize, index, li, src, lsrc, err, errOp, dim, n); \
    }

NABLA_SCATTER_ADD(i32, int)
NABLA_SCATTER_ADD(i64, long long)
NABLA_SCATTER_ADD(f32, float)
NABLA_SCATTER_ADD(f64, double)
