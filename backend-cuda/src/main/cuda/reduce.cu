// Reductions over a set of axes (dev.nabla.spi.Backend#reduce) with the CPU backend's semantics.
//
// The host splits x's axes into kept and reduced ones (dev.nabla.cuda.kernels.ReducePlan does this, merging
// axes where it can so that each part has rank <= 8):
//   lk: x's layout over the kept axes     (shape = the kept sizes, x's strides for them, offset = x's offset)
//   lo: out's layout over the kept axes   (same shape, out's strides, out's offset)
//   lr: x's layout over the reduced axes  (shape = the reduced sizes, x's strides for them, offset 0)
// nOut = numel of lk (>= 1), nRed = numel of lr (>= 1; the host fills SUM with 0 and PROD with 1 when nRed = 0
// and never launches MAX/MIN/ARG* on an empty axis).
//
// Kernels (extern "C"), two launch shapes with the same arguments:
//   nabla_reduce_<op>_<dtype>(const T *x, NablaLayout lk, NablaLayout lr, O *out, NablaLayout lo,
//                             long long nOut, long long nRed)
//       one block per output element (grid-stride over outputs: any grid size), blockDim.x MUST be 256
//       (NABLA_REDUCE_THREADS), static shared memory only (no dynamic shared memory). Each thread reduces the
//       elements j = tid, tid + 256, ... of the reduced index space, then a shared-memory tree combines the 256
//       partials. For long reductions, best when lr's innermost stride is 1 (coalesced).
//   nabla_reduce_thread_<op>_<dtype>(same arguments)
//       one thread per output element (grid-stride: any grid and block size), a sequential loop over the reduced
//       elements in index order. For many outputs with short reductions, and for column reductions (lk's innermost
//       stride 1: neighbouring threads read neighbouring elements).
//   op, dtype:  sum prod max min     for f32 f64 i32 i64 (O = T)
//               max min              for b8 (any / all; O = unsigned char)
//               argmax argmin        for f32 f64 i32 i64 (O = long long; the index along the one reduced axis)
// nRed == 1 (only size-1 axes reduced) is a copy in both kernels, as in the CPU backend (so a sum keeps -0.0).
//   nabla_reduce_partial_<op>_<dtype>(const T *x, NablaLayout lk, NablaLayout lr, void *partial, long long nOut,
//                                     long long nRed, int splits)
//   nabla_reduce_finish_<op>_<dtype>(const void *partial, O *out, NablaLayout lo, long long nOut, int splits)
//       a split reduction for few outputs with long reductions (e.g. a full sum of 10^7 elements, which one block
//       would run on one SM): the partial kernel (blockDim.x MUST be 256, any grid; nOut * splits blocks is one
//       wave) writes nOut * splits accumulators to device scratch `partial`, the finish kernel (any grid and block
//       size) combines each output's splits in order. Scratch bytes per accumulator
//       (dev.nabla.cuda.kernels.KernelCalls.reduceAccumulatorBytes): sum/prod f32 8 (double), f64 8, i32 4, i64 8;
//       max/min f32 4, f64 8, i32 4, i64 8, b8 1; argmax/argmin 16 ({T value; long long index}). Both launches on
//       one stream; the scratch may be reused once the finish kernel is done.
// Semantics: f32 sum/prod accumulate in double and round once (the CPU backend does the same; its summation order
// differs, so results agree to rounding, not bit for bit); f64 sum/prod in double (order differs from the CPU's:
// agreement to rounding); i32/i64 sum/prod wrap (i32 as the CPU's long accumulator cast to int);
// max/min are Math.max/min (NaN propagates; max(-0, +0) = +0); argmax/argmin return the first index of the
// extremum, and the first NaN if there is one (float dtypes).
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_REDUCE_THREADS 256

// ------------------------------------------------------------------ combiners: Acc init(), Acc load(T, j),
// Acc combine(Acc, Acc) (associative and commutative), O finish(Acc)

template <class T, class A> struct nabla_r_sum {
    typedef A Acc;
    __device__ __forceinline__ static Acc init() { return (A) 0; }
    __device__ __forceinline__ static Acc load(T v, long long) { return (A) v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a + b; }
    __device__ __forceinline__ static T finish(Acc a) { return (T) a; }
};
template <class T, class A> struct nabla_r_prod {
    typedef A Acc;
    __device__ __forceinline__ static Acc init() { return (A) 1; }
    __device__ __forceinline__ static Acc load(T v, long long) { return (A) v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a * b; }
    __device__ __forceinline__ static T finish(Acc a) { return (T) a; }
};
// Wrapping integer sum/prod: unsigned accumulators
template <class T, class U> struct nabla_r_isum {
    typedef U Acc;
    __device__ __forceinline__ static Acc init() { return 0; }
    __device__ __forceinline__ static Acc load(T v, long long) { return (U) v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a + b; }
    __device__ __forceinline__ static T finish(Acc a) { return (T) a; }
};
template <class T, class U> struct nabla_r_iprod {
    typedef U Acc;
    __device__ __forceinline__ static Acc init() { return 1; }
    __device__ __forceinline__ static Acc load(T v, long long) { return (U) v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a * b; }
    __device__ __forceinline__ static T finish(Acc a) { return (T) a; }
};
// Java max/min for floats: -inf is a neutral element of Math.max (max(-inf, NaN) = NaN, max(-inf, -0) = -0)
template <class T> __device__ __forceinline__ T nabla_inf() { return (T) 0; }
template <> __device__ __forceinline__ float nabla_inf<float>() { return __uint_as_float(0x7F800000u); }
template <> __device__ __forceinline__ double nabla_inf<double>() { return __longlong_as_double(0x7FF0000000000000LL); }
template <class T> struct nabla_r_fmax {
    typedef T Acc;
    __device__ __forceinline__ static Acc init() { return -nabla_inf<T>(); }
    __device__ __forceinline__ static Acc load(T v, long long) { return v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return nabla_jmax(a, b); }
    __device__ __forceinline__ static T finish(Acc a) { return a; }
};
template <class T> struct nabla_r_fmin {
    typedef T Acc;
    __device__ __forceinline__ static Acc init() { return nabla_inf<T>(); }
    __device__ __forceinline__ static Acc load(T v, long long) { return v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return nabla_jmin(a, b); }
    __device__ __forceinline__ static T finish(Acc a) { return a; }
};
template <class T, T LOWEST, T HIGHEST> struct nabla_r_imax {
    typedef T Acc;
    __device__ __forceinline__ static Acc init() { return LOWEST; }
    __device__ __forceinline__ static Acc load(T v, long long) { return v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a >= b ? a : b; }
    __device__ __forceinline__ static T finish(Acc a) { return a; }
};
template <class T, T LOWEST, T HIGHEST> struct nabla_r_imin {
    typedef T Acc;
    __device__ __forceinline__ static Acc init() { return HIGHEST; }
    __device__ __forceinline__ static Acc load(T v, long long) { return v; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a <= b ? a : b; }
    __device__ __forceinline__ static T finish(Acc a) { return a; }
};
struct nabla_r_any {
    typedef unsigned char Acc;
    __device__ __forceinline__ static Acc init() { return 0; }
    __device__ __forceinline__ static Acc load(unsigned char v, long long) { return v ? 1 : 0; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a | b; }
    __device__ __forceinline__ static unsigned char finish(Acc a) { return a; }
};
struct nabla_r_all {
    typedef unsigned char Acc;
    __device__ __forceinline__ static Acc init() { return 1; }
    __device__ __forceinline__ static Acc load(unsigned char v, long long) { return v ? 1 : 0; }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) { return a & b; }
    __device__ __forceinline__ static unsigned char finish(Acc a) { return a; }
};

// argmax / argmin: (value, index); index -1 is "no element yet". A NaN beats every number; among equals (and
// among NaNs) the smaller index wins, which is the CPU backend's "first occurrence".
template <class T> struct nabla_arg_acc {
    T v;
    long long i;
};
template <class T, bool MAX> struct nabla_r_arg {
    typedef nabla_arg_acc<T> Acc;
    __device__ __forceinline__ static Acc init() {
        Acc a;
        a.v = (T) 0;
        a.i = -1;
        return a;
    }
    __device__ __forceinline__ static Acc load(T v, long long j) {
        Acc a;
        a.v = v;
        a.i = j;
        return a;
    }
    __device__ __forceinline__ static Acc combine(Acc a, Acc b) {
        if (a.i < 0) return b;
        if (b.i < 0) return a;
        bool an = a.v != a.v, bn = b.v != b.v;
        if (an || bn) {
            if (an && bn) return a.i < b.i ? a : b;
            return an ? a : b;
        }
        if (a.v == b.v) return a.i < b.i ? a : b;
        return (MAX ? a.v > b.v : a.v < b.v) ? a : b;
    }
    __device__ __forceinline__ static long long finish(Acc a) { return a.i; }
};

// Accumulators in global memory (split reductions) are read and written field by field: a whole-struct copy of
// a padded struct (argmax of float: 4 value bytes, 4 padding, 8 index bytes) makes nvcc 13 emit a load with a
// "used_bytes_mask", which PTX ISA 8.0 lacks.
template <class A> __device__ __forceinline__ A nabla_acc_load(const A *p) { return *p; }
template <class A> __device__ __forceinline__ void nabla_acc_store(A *p, A a) { *p = a; }
template <class T> __device__ __forceinline__ nabla_arg_acc<T> nabla_acc_load(const nabla_arg_acc<T> *p) {
    nabla_arg_acc<T> a;
    a.v = p->v;
    a.i = p->i;
    return a;
}
template <class T> __device__ __forceinline__ void nabla_acc_store(nabla_arg_acc<T> *p, nabla_arg_acc<T> a) {
    p->v = a.v;
    p->i = a.i;
}

// ------------------------------------------------------------------ bodies

// Position of reduced element j: a single reduced axis (the common case after merging) needs no division.
__device__ __forceinline__ unsigned int nabla_reduced_offset(const NablaLayout &lr, unsigned int j) {
    if (lr.rank == 1) return j * (unsigned int) lr.strides[0];
    return nabla_offset(lr, j);
}

template <class R, class T, class O>
__device__ __forceinline__ void nabla_reduce_block_body(const T *x, const NablaLayout &lk, const NablaLayout &lr,
                                                        O *out, const NablaLayout &lo, long long nOut,
                                                        long long nRed) {
    __shared__ typename R::Acc partial[NABLA_REDUCE_THREADS];
    unsigned int tid = threadIdx.x;
    if (nRed == 1) { // only size-1 axes reduced: a copy, as the CPU backend does (a sum keeps -0.0)
        for (long long o = (long long) blockIdx.x * blockDim.x + tid; o < nOut; o += (long long) blockDim.x * gridDim.x) {
            out[nabla_offset(lo, (unsigned int) o)] =
                (O) R::finish(R::load(x[nabla_offset(lk, (unsigned int) o) + nabla_offset(lr, 0u)], 0));
        }
        return;
    }
    for (long long o = blockIdx.x; o < nOut; o += gridDim.x) {
        unsigned int base = nabla_offset(lk, (unsigned int) o);
        typename R::Acc acc = R::init();
        for (long long j = tid; j < nRed; j += NABLA_REDUCE_THREADS) {
            acc = R::combine(acc, R::load(x[base + nabla_reduced_offset(lr, (unsigned int) j)], j));
        }
        partial[tid] = acc;
        __syncthreads();
        for (unsigned int s = NABLA_REDUCE_THREADS / 2; s > 0; s >>= 1) {
            if (tid < s) {
                partial[tid] = R::combine(partial[tid], partial[tid + s]);
            }
            __syncthreads();
        }
        if (tid == 0) {
            out[nabla_offset(lo, (unsigned int) o)] = (O) R::finish(partial[0]);
        }
        __syncthreads(); // partial[] is reused by the next output
    }
}

template <class R, class T, class O>
__device__ __forceinline__ void nabla_reduce_thread_body(const T *x, const NablaLayout &lk, const NablaLayout &lr,
                                                         O *out, const NablaLayout &lo, long long nOut,
                                                         long long nRed) {
    NABLA_FOR_EACH(o, nOut) {
        unsigned int base = nabla_offset(lk, (unsigned int) o);
        if (nRed == 1) { // a copy, as the CPU backend does (a sum keeps -0.0)
            out[nabla_offset(lo, (unsigned int) o)] = (O) R::finish(R::load(x[base + nabla_offset(lr, 0u)], 0));
            continue;
        }
        typename R::Acc acc = R::init();
        for (long long j = 0; j < nRed; j++) {
            acc = R::combine(acc, R::load(x[base + nabla_reduced_offset(lr, (unsigned int) j)], j));
        }
        out[nabla_offset(lo, (unsigned int) o)] = (O) R::finish(acc);
    }
}


// Split reductions (few outputs, long reductions): block b of the partial kernel reduces chunk s = b % splits of
// output o = b / splits (chunk = ceil(nRed / splits) consecutive reduced indices) into partial[b] (the combiner's
// accumulator type); the finish kernel combines the splits of each output in order. Deterministic for a given
// splits.
template <class R, class T>
__device__ __forceinline__ void nabla_reduce_partial_body(const T *x, const NablaLayout &lk, const NablaLayout &lr,
                                                          typename R::Acc *partialOut, long long nOut,
                                                          long long nRed, int splits) {
    __shared__ typename R::Acc partial[NABLA_REDUCE_THREADS];
    unsigned int tid = threadIdx.x;
    long long chunk = (nRed + splits - 1) / splits;
    for (long long b = blockIdx.x; b < nOut * splits; b += gridDim.x) {
        long long o = b / splits;
        long long from = (b % splits) * chunk;
        long long to = from + chunk < nRed ? from + chunk : nRed;
        unsigned int base = nabla_offset(lk, (unsigned int) o);
        typename R::Acc acc = R::init();
        for (long long j = from + tid; j < to; j += NABLA_REDUCE_THREADS) {
            acc = R::combine(acc, R::load(x[base + nabla_reduced_offset(lr, (unsigned int) j)], j));
        }
        partial[tid] = acc;
        __syncthreads();
        for (unsigned int s = NABLA_REDUCE_THREADS / 2; s > 0; s >>= 1) {
            if (tid < s) {
                partial[tid] = R::combine(partial[tid], partial[tid + s]);
            }
            __syncthreads();
        }
        if (tid == 0) {
            nabla_acc_store(partialOut + b, partial[0]);
        }
        __syncthreads();
    }
}

template <class R, class O>
__device__ __forceinline__ void nabla_reduce_finish_body(const typename R::Acc *partial, O *out,
                                                         const NablaLayout &lo, long long nOut, int splits) {
    NABLA_FOR_EACH(o, nOut) {
        typename R::Acc acc = R::init();
        for (int s = 0; s < splits; s++) {
            acc = R::combine(acc, nabla_acc_load(partial + o * splits + s));
        }
        out[nabla_offset(lo, (unsigned int) o)] = (O) R::finish(acc);
    }
}

#define NABLA_REDUCE(OP, SUFFIX, R, T, O)                                                   \
    extern "C" __global__ void nabla_reduce_##OP##_##SUFFIX(const T *x, NablaLayout lk, NablaLayout lr, O *out, \
                                                            NablaLayout lo, long long nOut, long long nRed) { \
        nabla_reduce_block_body<R, T, O>(x, lk, lr, out, lo, nOut, nRed);                   \
    }                                                                                       \
    extern "C" __global__ void nabla_reduce_thread_##OP##_##SUFFIX(const T *x, NablaLayout lk, NablaLayout lr, \
                                                                   O *out, NablaLayout lo, long long nOut, \
                                                                   long long nRed) {        \
        nabla_reduce_thread_body<R, T, O>(x, lk, lr, out, lo, nOut, nRed);                  \
    }                                                                                       \
    extern "C" __global__ void nabla_reduce_partial_##OP##_##SUFFIX(const T *x, NablaLayout lk, NablaLayout lr, \
                                                                    void *partial, long long nOut, long long nRed, \
                                                                    int splits) {           \
        nabla_reduce_partial_body<R, T>(x, lk, lr, (typename R::Acc *) partial, nOut, nRed, splits); \
    }                                                                                       \
    extern "C" __global__ void nabla_reduce_finish_##OP##_##SUFFIX(const void *partial, O *out, NablaLayout lo, \
                                                                   long long nOut, int splits) { \
        nabla_reduce_finish_body<R, O>((const typename R::Acc *) partial, out, lo, nOut, splits); \
    }

// a template argument list with a comma cannot pass through a macro argument unbracketed: typedefs instead
typedef nabla_r_sum<float, double> nabla_r_sum_f32;
typedef nabla_r_prod<float, double> nabla_r_prod_f32;
typedef nabla_r_sum<double, double> nabla_r_sum_f64;
typedef nabla_r_prod<double, double> nabla_r_prod_f64;
typedef nabla_r_isum<int, unsigned int> nabla_r_sum_i32;
typedef nabla_r_iprod<int, unsigned int> nabla_r_prod_i32;
typedef nabla_r_isum<long long, unsigned long long> nabla_r_sum_i64;
typedef nabla_r_iprod<long long, unsigned long long> nabla_r_prod_i64;
typedef nabla_r_fmax<float> nabla_r_max_f32;
typedef nabla_r_fmin<float> nabla_r_min_f32;
typedef nabla_r_fmax<double> nabla_r_max_f64;
typedef nabla_r_fmin<double> nabla_r_min_f64;
typedef nabla_r_imax<int, (-2147483647 - 1), 2147483647> nabla_r_max_i32;
typedef nabla_r_imin<int, (-2147483647 - 1), 2147483647> nabla_r_min_i32;
typedef nabla_r_imax<long long, (-9223372036854775807LL - 1), 9223372036854775807LL> nabla_r_max_i64;
typedef nabla_r_imin<long long, (-9223372036854775807LL - 1), 9223372036854775807LL> nabla_r_min_i64;
typedef nabla_r_arg<float, true> nabla_r_argmax_f32;
typedef nabla_r_arg<float, false> nabla_r_argmin_f32;
typedef nabla_r_arg<double, true> nabla_r_argmax_f64;
typedef nabla_r_arg<double, false> nabla_r_argmin_f64;
typedef nabla_r_arg<int, true> nabla_r_argmax_i32;
typedef nabla_r_arg<int, false> nabla_r_argmin_i32;
typedef nabla_r_arg<long long, true> nabla_r_argmax_i64;
typedef nabla_r_arg<long long, false> nabla_r_argmin_i64;

#define NABLA_REDUCE_ALL(SUFFIX, T)                                                         \
    NABLA_REDUCE(sum, SUFFIX, nabla_r_sum_##SUFFIX, T, T)                                   \
    NABLA_REDUCE(prod, SUFFIX, nabla_r_prod_##SUFFIX, T, T)                                 \
    NABLA_REDUCE(max, SUFFIX, nabla_r_max_##SUFFIX, T, T)                                   \
    NABLA_REDUCE(min, SUFFIX, nabla_r_min_##SUFFIX, T, T)                                   \
    NABLA_REDUCE(argmax, SUFFIX, nabla_r_argmax_##SUFFIX, T, long long)                     \
    NABLA_REDUCE(argmin, SUFFIX, nabla_r_argmin_##SUFFIX, T, long long)

NABLA_REDUCE_ALL(f32, float)
NABLA_REDUCE_ALL(f64, double)
NABLA_REDUCE_ALL(i32, int)
NABLA_REDUCE_ALL(i64, long long)
NABLA_REDUCE(max, b8, nabla_r_any, unsigned char, unsigned char)
NABLA_REDUCE(min, b8, nabla_r_all, unsigned char, unsigned char)
