// CUDA emulation for the CPU: lets g++ compile Nabla's unmodified kernel sources (src/main/cuda/*.cu) so that the
// test CudaKernelEmulationTest can run them here, without a GPU. Use: g++ -std=c++20 -x c++ -include cuda_emu.h.
//
// Model: emu_runner.cpp runs a launch block after block; the threads of one block are fibers (own stacks, switched
// cooperatively on one OS thread), so __syncthreads() is a real barrier, __shared__ memory (a static variable) is
// shared by the threads of the block, and atomics are trivially atomic (no fiber is interrupted between two
// barriers). Warp shuffles are emulated through a per-block exchange buffer and two block-wide barriers, so all
// threads of the block must call them together (a warp-divergent shuffle is not emulated).
// See src/main/cuda/README.md for what this emulation cannot catch.
#ifndef NABLA_CUDA_EMU_H
#define NABLA_CUDA_EMU_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <functional>
#include <string>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict

struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
    dim3(unsigned int a = 1, unsigned int b = 1, unsigned int c = 1) : x(a), y(b), z(c) {}
};

// Set by the runner before it switches to a fiber.
extern uint3 threadIdx;
extern uint3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;
static const int warpSize = 32;

// Block-wide barrier: the calling fiber yields until every thread of its block has reached a barrier.
void __syncthreads();
// Exchange area for the shuffle emulation (one 64-bit slot per thread of the block).
extern uint64_t emu_shuffle_slots[1024];

// ------------------------------------------------------------------ bit casts and integer intrinsics
inline unsigned int __float_as_uint(float f) { unsigned int u; memcpy(&u, &f, 4); return u; }
inline int __float_as_int(float f) { int u; memcpy(&u, &f, 4); return u; }
inline float __uint_as_float(unsigned int u) { float f; memcpy(&f, &u, 4); return f; }
inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }
inline long long __double_as_longlong(double d) { long long u; memcpy(&u, &d, 8); return u; }
inline double __longlong_as_double(long long u) { double d; memcpy(&d, &u, 8); return d; }
inline unsigned int __umulhi(unsigned int a, unsigned int b) { return (unsigned int) (((uint64_t) a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long) (((unsigned __int128) a * b) >> 64);
}
inline int __popc(unsigned int x) { return __builtin_popcount(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned int) x); }

// IEEE round-to-nearest intrinsics (g++ is run with -ffp-contract=off, so plain operators never fuse)
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }

// ------------------------------------------------------------------ atomics (no fiber switch can interleave)
template <class T> inline T emu_atomic_add(T *p, T v) { T old = *p; *p = (T) (old + v); return old; }
inline float atomicAdd(float *p, float v) { return emu_atomic_add(p, v); }
inline double atomicAdd(double *p, double v) { return emu_atomic_add(p, v); }
inline int atomicAdd(int *p, int v) { return (int) emu_atomic_add((unsigned int *) p, (unsigned int) v); }
inline unsigned int atomicAdd(unsigned int *p, unsigned int v) { return emu_atomic_add(p, v); }
inline unsigned long long atomicAdd(unsigned long long *p, unsigned long long v) { return emu_atomic_add(p, v); }
template <class T> inline T emu_atomic_cas(T *p, T cmp, T val) { T old = *p; if (old == cmp) *p = val; return old; }
inline int atomicCAS(int *p, int cmp, int val) { return emu_atomic_cas(p, cmp, val); }
inline unsigned int atomicCAS(unsigned int *p, unsigned int cmp, unsigned int val) { return emu_atomic_cas(p, cmp, val); }
inline unsigned long long atomicCAS(unsigned long long *p, unsigned long long cmp, unsigned long long val) {
    return emu_atomic_cas(p, cmp, val);
}
inline int atomicMax(int *p, int v) { int old = *p; if (v > old) *p = v; return old; }
inline int atomicMin(int *p, int v) { int old = *p; if (v < old) *p = v; return old; }
inline long long atomicMax(long long *p, long long v) { long long old = *p; if (v > old) *p = v; return old; }
inline long long atomicMin(long long *p, long long v) { long long old = *p; if (v < old) *p = v; return old; }
inline unsigned long long atomicMin(unsigned long long *p, unsigned long long v) {
    unsigned long long old = *p; if (v < old) *p = v; return old;
}
inline int atomicExch(int *p, int v) { int old = *p; *p = v; return old; }

// ------------------------------------------------------------------ warp shuffles (block-wide, see above)
inline unsigned int emu_linear_tid() { return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z); }
template <class T> inline T emu_shuffle(T v, unsigned int srcTid) {
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 64 bits");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    unsigned int me = emu_linear_tid();
    emu_shuffle_slots[me] = bits;
    __syncthreads();
    uint64_t r = emu_shuffle_slots[srcTid];
    __syncthreads();
    T out;
    memcpy(&out, &r, sizeof(T));
    return out;
}
template <class T> inline T __shfl_down_sync(unsigned int, T v, unsigned int delta, int width = 32) {
    unsigned int me = emu_linear_tid();
    unsigned int lane = me % (unsigned int) width;
    return emu_shuffle(v, lane + delta < (unsigned int) width ? me + delta : me);
}
template <class T> inline T __shfl_up_sync(unsigned int, T v, unsigned int delta, int width = 32) {
    unsigned int me = emu_linear_tid();
    unsigned int lane = me % (unsigned int) width;
    return emu_shuffle(v, lane >= delta ? me - delta : me);
}
template <class T> inline T __shfl_xor_sync(unsigned int, T v, int laneMask, int width = 32) {
    unsigned int me = emu_linear_tid();
    unsigned int lane = me % (unsigned int) width;
    unsigned int src = lane ^ (unsigned int) laneMask;
    return emu_shuffle(v, src < (unsigned int) width ? me - lane + src : me);
}
template <class T> inline T __shfl_sync(unsigned int, T v, int srcLane, int width = 32) {
    unsigned int me = emu_linear_tid();
    unsigned int lane = me % (unsigned int) width;
    return emu_shuffle(v, me - lane + ((unsigned int) srcLane % (unsigned int) width));
}

// ------------------------------------------------------------------ launching from C++
// Runs body once per thread of a 1-D grid (threadIdx etc. set, blocks one after another, the threads of a block as
// fibers); order 0: index order, 1: reversed, 2: threads shuffled. Returns "" or what went wrong (a barrier that
// some threads of a block skipped, a bad configuration). Defined in emu_runner.cpp.
std::string emu_run_grid(dim3 grid, dim3 block, int order, const std::function<void()> &body);

// kernel<<<grid, block>>>(args...) in the emulation: emu_launch(kernel, grid, block, args...).
template <class... P, class... A>
std::string emu_launch(void (*kernel)(P...), dim3 grid, dim3 block, A... args) {
    return emu_run_grid(grid, block, 0, [&]() { kernel(args...); });
}

#endif
