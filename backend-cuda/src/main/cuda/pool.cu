// 2-D max pooling over contiguous [N, C, H, W] planes (Backend#maxPool2d, #maxPool2dBackward,
// #maxPool2dReluBackward) with the CPU backend's semantics (dev.nabla.cpu.Pool): padding is negative infinity,
// NaN propagates (Math.max); the backward pass sends each window's gradient to the element that a row-major scan
// of the window (padding included) picks: the first NaN, else the first element strictly greater than all before
// it; a window whose pick is padding sends nothing.
//
// Kernels (extern "C"); pointers at each operand's first element (the host adds layout offsets); any grid and
// block size (grid-stride loops):
//   nabla_max_pool2d_<f32|f64>(const T *x, T *out, int planes, int h, int w, int oh, int ow,
//                              int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
//       one thread per output element; planes = N * C; oh, ow from Conv2dGeometry.outHeight/outWidth.
//   nabla_max_pool2d_backward_<f32|f64>(const T *gradOut, const T *x, T *gradIn, int planes, int h, int w,
//                                       int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
//                                       int dw, int relu)
//       one thread per gradIn element, which it always writes (0 where no window picks it): it visits the windows
//       that contain it in the CPU backend's order (output row, then column), recomputes each window's pick and
//       adds that window's gradient in that order, so the sums round as the CPU backend's do (bit for bit); no
//       atomics. relu = 1 is maxPool2dReluBackward: x is the ReLU's output, and the element's sum is kept only
//       where x > 0 (else 0).
#include "nabla_layout.cuh"
#include "nabla_types.cuh"

template <class T>
__device__ __forceinline__ void nabla_max_pool_body(const T *x, T *out, int planes, int h, int w, int oh, int ow,
                                                    int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    long long total = (long long) planes * oh * ow;
    NABLA_FOR_EACH(idx, total) {
        unsigned int o = (unsigned int) idx;
        unsigned int c = o % (unsigned int) ow;
        unsigned int r = (o / (unsigned int) ow) % (unsigned int) oh;
        unsigned int plane = o / ((unsigned int) ow * (unsigned int) oh);
        const T *xp = x + plane * (unsigned int) (h * w);
        T m = -nabla_inf_of((T) 0);
        for (int i = 0; i < kh; i++) {
            int y = (int) r * sh - ph + i * dh;
            if (y < 0 || y >= h) continue;
            for (int j = 0; j < kw; j++) {
                int xx = (int) c * sw - pw + j * dw;
                if (xx >= 0 && xx < w) m = nabla_jmax(m, xp[y * w + xx]);
            }
        }
        out[o] = m;
    }
}

// The position (y * w + x) a window's scan picks, or -1 for padding.
template <class T>
__device__ __forceinline__ int nabla_window_pick(const T *xp, int h, int w, int r, int c, int kh, int kw, int sh,
                                                 int sw, int ph, int pw, int dh, int dw) {
    int best = -1;
    T bv = (T) 0;
    bool first = true;
    for (int i = 0; i < kh; i++) {
        int y = r * sh - ph + i * dh;
        for (int j = 0; j < kw; j++) {
            int xx = c * sw - pw + j * dw;
            bool inside = y >= 0 && y < h && xx >= 0 && xx < w;
            int pos = inside ? y * w + xx : -1;
            T v = inside ? xp[pos] : -nabla_inf_of((T) 0);
            if (first) {
                first = false;
                best = pos;
                bv = v;
                if (v != v) return best;
            } else if (v > bv) {
                best = pos;
                bv = v;
            } else if (v != v) {
                return pos;
            }
        }
    }
    return best;
}

template <class T>
__device__ __forceinline__ void nabla_max_pool_backward_body(const T *gradOut, const T *x, T *gradIn, int planes,
                                                             int h, int w, int oh, int ow, int kh, int kw, int sh,
                                                             int sw, int ph, int pw, int dh, int dw, int relu) {
    long long total = (long long) planes * h * w;
    NABLA_FOR_EACH(idx, total) {
        unsigned int e = (unsigned int) idx;
        unsigned int plane = e / (unsigned int) (h * w);
        int me = (int) (e % (unsigned int) (h * w));
        int y = me / w, xc = me % w;
        const T *xp = x + plane * (unsigned int) (h * w);
        const T *gp = gradOut + plane * (unsigned int) (oh * ow);
        T acc = (T) 0;
        // windows (r, c) with r * sh - ph + i * dh == y for some tap i: increasing r is decreasing i
        for (int i = kh - 1; i >= 0; i--) {
            int ty = y + ph - i * dh;
            if (ty < 0 || ty % sh != 0) continue;
            int r = ty / sh;
            if (r >= oh) continue;
            for (int j = kw - 1; j >= 0; j--) {
                int tx = xc + pw - j * dw;
                if (tx < 0 || tx % sw != 0) continue;
                int c = tx / sw;
                if (c >= ow) continue;
                if (nabla_window_pick(xp, h, w, r, c, kh, kw, sh, sw, ph, pw, dh, dw) == me) {
                    acc = acc + gp[r * ow + c];
                }
            }
        }
        if (relu && !(xp[me] > 0)) acc = (T) 0;
        gradIn[e] = acc;
    }
}

#define NABLA_POOL(SUFFIX, T)                                                               \
    extern "C" __global__ void nabla_max_pool2d_##SUFFIX(const T *x, T *out, int planes, int h, int w, int oh, \
                                                         int ow, int kh, int kw, int sh, int sw, int ph, int pw, \
                                                         int dh, int dw) {                  \
        nabla_max_pool_body<T>(x, out, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw); \
    }                                                                                       \
    extern "C" __global__ void nabla_max_pool2d_backward_##SUFFIX(const T *gradOut, const T *x, T *gradIn, \
                                                                  int planes, int h, int w, int oh, int ow, int kh, \
                                                                  int kw, int sh, int sw, int ph, int pw, int dh, \
                                                                  int dw, int relu) {       \
        nabla_max_pool_backward_body<T>(gradOut, x, gradIn, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, \
                                        relu);                                              \
    }

NABLA_POOL(f32, float)
NABLA_POOL(f64, double)
