// fill: every element of a strided operand set to one value (dev.nabla.spi.Backend#fill).
//
// Kernels (extern "C", so their PTX names are exactly these):
//   nabla_fill_f32(float *out, NablaLayout lo, long long n, float value)
//   nabla_fill_f64(double *out, NablaLayout lo, long long n, double value)
//   nabla_fill_i32(int *out, NablaLayout lo, long long n, int value)
//   nabla_fill_i64(long long *out, NablaLayout lo, long long n, long long value)
// The host converts the double the SPI passes to the element type as Java does (the CPU
// backend's Elementwise.fill): (float), (int), (long).
// A broadcast layout (a zero stride) writes the same element several times with the same value,
// which is harmless.
#include "nabla_layout.cuh"

#define NABLA_FILL(NAME, T)                                                            \
    extern "C" __global__ void NAME(T *out, NablaLayout lo, long long n, T value) {    \
        NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = value; }                     \
    }

NABLA_FILL(nabla_fill_f32, float)
NABLA_FILL(nabla_fill_f64, double)
NABLA_FILL(nabla_fill_i32, int)
NABLA_FILL(nabla_fill_i64, long long)
