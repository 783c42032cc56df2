// Kernels that test the emulation itself (compiled only into the emulated device, never into PTX):
// barriers, shared memory, warp shuffles, atomics, and the detection of a barrier in divergent code.
//
//   nabla_emutest_block_sum(const int *x, int *out, int n): one block; out[blockIdx.x] = sum of x through shared
//       memory and __syncthreads, then out[gridDim.x + blockIdx.x] = the same through __shfl_down_sync within
//       each warp plus shared memory across warps, out[2 * gridDim.x + blockIdx.x] = lane 0's __shfl_xor_sync
//       butterfly sum of the first warp's values.
//   nabla_emutest_atomic_count(int *counter, long long n): atomicAdd(counter, 1) once per element.
//   nabla_emutest_divergent_barrier(int *out): threads 0..15 reach a __syncthreads the others skip (undefined on
//       a GPU; the emulation reports it).
#include "nabla_layout.cuh"

extern "C" __global__ void nabla_emutest_block_sum(const int *x, int *out, int n) {
    __shared__ int partial[1024];
    __shared__ int warpSums[32];
    unsigned int tid = threadIdx.x;
    int acc = 0;
    for (int i = tid; i < n; i += blockDim.x) acc += x[i];
    partial[tid] = acc;
    __syncthreads();
    if (tid == 0) {
        int s = 0;
        for (unsigned int k = 0; k < blockDim.x; k++) s += partial[k];
        out[blockIdx.x] = s;
    }
    int v = acc;
    for (int d = 16; d > 0; d >>= 1) v += __shfl_down_sync(0xFFFFFFFFu, v, d);
    if (tid % 32 == 0) warpSums[tid / 32] = v;
    __syncthreads();
    if (tid == 0) {
        int s = 0;
        for (unsigned int k = 0; k < (blockDim.x + 31) / 32; k++) s += warpSums[k];
        out[gridDim.x + blockIdx.x] = s;
    }
    int b = acc;
    for (int m = 16; m > 0; m >>= 1) b += __shfl_xor_sync(0xFFFFFFFFu, b, m);
    if (tid == 0) out[2 * gridDim.x + blockIdx.x] = b;
}

extern "C" __global__ void nabla_emutest_atomic_count(int *counter, long long n) {
    NABLA_FOR_EACH(i, n) { atomicAdd(counter, 1); }
}

extern "C" __global__ void nabla_emutest_divergent_barrier(int *out) {
    if (threadIdx.x < 16) {
        __syncthreads();
    }
    out[threadIdx.x] = 1;
}

