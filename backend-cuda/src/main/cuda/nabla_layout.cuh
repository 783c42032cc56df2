// Strided layouts for Nabla's CUDA kernels.
//
// A tensor operand is (pointer, NablaLayout): element (i0, i1, ..., i{rank-1}) sits at
//   base[offset + i0*strides[0] + i1*strides[1] + ...]
// exactly as dev.nabla.spi.Layout says (strides in elements, zero for a broadcast dimension,
// never negative). Every operand of one launch has the same shape; only strides and offset differ.
//
// Passing a layout from Java: the struct is a kernel parameter passed by value, so the host
// hands cuLaunchKernel a pointer to 2 + 2*NABLA_MAX_RANK ints laid out as below:
//   Pointer.to(new int[]{rank, offset, shape[0..7], strides[0..7]})
// (unused trailing dimensions: shape 1, stride 0). Operands of higher rank must be coalesced
// (merging contiguous dimensions) or split by the host before a launch.
//
// The element count n is `long long` (at most 2^31 - 1) (Java: Pointer.to(new long[]{n})); a mismatch is not
// detected by the driver, the kernel would read garbage (see CUDA-NOTES.md).
#ifndef NABLA_LAYOUT_CUH
#define NABLA_LAYOUT_CUH

#define NABLA_MAX_RANK 8

struct NablaLayout {
    int rank;
    int offset;
    int shape[NABLA_MAX_RANK];
    int strides[NABLA_MAX_RANK];
};

// Buffer position of the element with row-major linear index `linear` (0 <= linear < numel).
// Index arithmetic is 32-bit unsigned: a Nabla buffer holds fewer than 2^31 elements
// (dev.nabla.spi.Backend#allocate takes an int count), so every index and position fits, and
// 32-bit division is several times cheaper on the GPU than 64-bit division.
__device__ __forceinline__ unsigned int nabla_offset(const NablaLayout &l, unsigned int linear) {
    // Fully unrolled with constant indices, so the layout stays in parameter space instead of
    // being copied to local memory (which a loop bounded by l.rank would force).
    unsigned int pos = (unsigned int) l.offset;
#pragma unroll
    for (int d = NABLA_MAX_RANK - 1; d >= 0; --d) {
        if (d < l.rank) {
            unsigned int extent = (unsigned int) l.shape[d];
            unsigned int i = linear % extent;
            linear /= extent;
            pos += i * (unsigned int) l.strides[d];
        }
    }
    return pos;
}

// Grid-stride loop over the linear indices [0, n): correct for any grid size, so the host may
// cap the grid (e.g. at a few waves of the device's SMs) without changing the result. The loop
// variable is 64-bit so that i + blockDim.x * gridDim.x cannot wrap for n close to 2^31.
#define NABLA_FOR_EACH(i, n)                                                       \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

#endif
