// fill: every element of a strided operand set to one value (dev.nabla.spi.Backend#fill).
//
// Kernels (extern "C", so their PTX names are exactly these):
//   nabla_fill_f32(float *out, NablaLayout lo, long long n, float value)
//   nabla_fill_f64(double *out, NablaLayout lo, long long n, double value)
//   nabla_fill_i32(int *out, NablaLayout lo, long long n, int value)
//   nabla_fill_i64(long long *out, NablaLayout lo, long long n, long long value)
//   nabla_fill_b8(unsigned char *out, NablaLayout lo, long long n, int value)     (low 8 bits stored)
//   nabla_fill_i8(signed char *out, NablaLayout lo, long long n, int value)       (low 8 bits stored)
//   nabla_fill_bf16(nabla_bf16 *out, NablaLayout lo, long long n, int value)     (low 16 bits: the raw bits)
//   nabla_fill_f16(nabla_f16 *out, NablaLayout lo, long long n, int value)       (low 16 bits: the raw bits)
// The host converts the double the SPI passes to the element type as Java does (the CPU backend's
// Elementwise.fill): (float) v, v, (int) v, (long) v, v != 0 ? 1 : 0, (byte) (long) v,
// HalfFloats.fromFloat(dtype, (float) v); the small types travel as an int (Java: Pointer.to(new int[]{bits})).
// Any grid and block size. A broadcast layout (a zero stride) writes the same element several times with the same
// value, which is harmless.
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

#define NABLA_FILL(NAME, T)                                                            \
    extern "C" __global__ void NAME(T *out, NablaLayout lo, long long n, T value) {    \
        NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = value; }                     \
    }

NABLA_FILL(nabla_fill_f32, float)
NABLA_FILL(nabla_fill_f64, double)
NABLA_FILL(nabla_fill_i32, int)
NABLA_FILL(nabla_fill_i64, long long)

extern "C" __global__ void nabla_fill_b8(unsigned char *out, NablaLayout lo, long long n, int value) {
    unsigned char v = (unsigned char) value;
    NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = v; }
}

extern "C" __global__ void nabla_fill_i8(signed char *out, NablaLayout lo, long long n, int value) {
    signed char v = nabla_i2b(value);
    NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = v; }
}

extern "C" __global__ void nabla_fill_bf16(nabla_bf16 *out, NablaLayout lo, long long n, int value) {
    nabla_bf16 v;
    v.bits = (unsigned short) value;
    NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = v; }
}

extern "C" __global__ void nabla_fill_f16(nabla_f16 *out, NablaLayout lo, long long n, int value) {
    nabla_f16 v;
    v.bits = (unsigned short) value;
    NABLA_FOR_EACH(i, n) { out[nabla_offset(lo, i)] = v; }
}
