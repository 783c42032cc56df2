// The emulated device: a process that holds "device" buffers and launches kernels (compiled from the unmodified
// src/main/cuda/*.cu with cuda_emu.h and linked into this program) by name, with their parameters marshalled as a
// CUDA host does for cuLaunchKernel: each parameter a typed value, the NablaLayout struct passed by value.
// Kernels are looked up with dlsym (link with -rdynamic) and called through libffi, once per emulated thread;
// the threads of a block are fibers (ucontext stacks, switched with _setjmp/_longjmp) so that __syncthreads()
// is a real barrier. Blocks run one after another.
//
// Protocol on stdin/stdout, little-endian, one request then one reply:
//   'A' i64 bytes                                  -> i32 id   (contents 0xCD: "uninitialized")
//   'W' i32 id, i64 byteOffset, i32 len, len bytes -> i32 0
//   'R' i32 id, i64 byteOffset, i32 len            -> len bytes
//   'F' i32 id                                     -> i32 0
//   'L' i32 nameLen, name, i32 gridX, i32 blockX, i32 order, i32 nParams, params
//        param: u8 kind then 'p' i32 id i64 byteOffset | 'i' i32 | 'l' i64 | 'f' f32 | 'd' f64 | 'L' 18 x i32
//        order: 0 threads and blocks in index order, 1 reversed, 2 shuffled
//                                                  -> i32 status (0 ok), i32 msgLen, msg
//   'T'                                            -> i32 0 if emu_launch (the C++ launch) works
//   'Q'                                            -> exits
// A launch also checks 64-byte red zones around every buffer it was given: a write outside a buffer fails the launch.
#include "cuda_emu.h"
#include "nabla_layout.cuh"

#include <dlfcn.h>
#include <ffi.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

extern "C" void nabla_fill_i32(int *out, NablaLayout lo, long long n, int value);

uint3 threadIdx;
uint3 blockIdx;
dim3 blockDim;
dim3 gridDim;
uint64_t emu_shuffle_slots[1024];

namespace {

const size_t RED_ZONE = 64;
const unsigned char RED = 0xA5;
const size_t STACK_SIZE = 256 * 1024;

struct Buffer {
    unsigned char *base;  // red zone, data, red zone
    size_t size;
    unsigned char *data() { return base + RED_ZONE; }
};
std::map<int, Buffer> buffers;
int nextId = 1;

struct Fiber {
    ucontext_t start;
    jmp_buf jb;
    char *stack = nullptr;
    int state = 0;  // 0 runnable, 1 at a barrier, 2 done
    bool started = false;
    uint3 tid;
};

std::vector<Fiber> fibers;
Fiber *current = nullptr;
jmp_buf schedulerJb;
union Param {
    void *p;
    int32_t i;
    int64_t l;
    float f;
    double d;
    int32_t layout[18];
};

ffi_cif launchCif;
void (*launchFn)() = nullptr;
const std::vector<Param> *launchParams = nullptr;
const std::function<void()> *threadBody = nullptr;

// One emulated thread of a launch by name: the kernel called through libffi.
void ffiThread() {
    // Each emulated thread gets its own copy of the parameter values (as each CUDA thread reads the parameter
    // space): libffi may use the argument memory of a struct passed by value.
    Param local[64];
    void *values[64];
    size_t np = launchParams->size();
    for (size_t k = 0; k < np; k++) {
        local[k] = (*launchParams)[k];
        values[k] = &local[k];
    }
    ffi_call(&launchCif, launchFn, nullptr, values);
}

void fiberMain() {
    (*threadBody)();
    current->state = 2;
    _longjmp(schedulerJb, 1);
}

// Runs fiber f until it finishes or reaches a barrier.
void resume(Fiber &f) {
    current = &f;
    threadIdx = f.tid;
    f.state = 0;
    if (!_setjmp(schedulerJb)) {
        if (!f.started) {
            f.started = true;
#if defined(__x86_64__)
            // Start the fiber by switching the stack pointer and calling fiberMain: getcontext/swapcontext save and
            // restore the signal mask, two system calls per emulated thread, which made them most of a launch's time.
            // fiberMain never returns (it comes back by _longjmp), so nothing needs restoring.
            uintptr_t top = ((uintptr_t) (f.stack + STACK_SIZE)) & ~(uintptr_t) 15;
            asm volatile("mov %0, %%rsp\n\tcall *%1" : : "r"(top), "r"(fiberMain) : "memory");
            __builtin_unreachable();
#else
            ucontext_t here;
            getcontext(&f.start);
            f.start.uc_stack.ss_sp = f.stack;
            f.start.uc_stack.ss_size = STACK_SIZE;
            f.start.uc_link = nullptr;
            makecontext(&f.start, fiberMain, 0);
            swapcontext(&here, &f.start);  // never returns here: the fiber comes back by _longjmp
#endif
        } else {
            _longjmp(f.jb, 1);
        }
    }
}

std::string runBlock(const std::vector<unsigned int> &order) {
    for (;;) {
        for (unsigned int t : order) {
            if (fibers[t].state != 2) {
                resume(fibers[t]);
            }
        }
        size_t done = 0, waiting = 0;
        for (unsigned int t : order) {
            if (fibers[t].state == 2) done++;
            else waiting++;
        }
        if (waiting == 0) return "";
        if (done > 0) {
            return "__syncthreads() reached by " + std::to_string(waiting) + " threads of block " +
                   std::to_string(blockIdx.x) + " while " + std::to_string(done) + " had returned";
        }
    }
}

}  // namespace

void __syncthreads() {
    Fiber *f = current;
    f->state = 1;
    if (!_setjmp(f->jb)) {
        _longjmp(schedulerJb, 1);
    }
    current = f;
}

namespace {

FILE *in;
FILE *out;

void readFully(void *p, size_t n) {
    if (fread(p, 1, n, in) != n) {
        exit(0);  // the test closed the pipe
    }
}
template <class T> T get() {
    T v;
    readFully(&v, sizeof v);
    return v;
}
template <class T> void put(T v) { fwrite(&v, sizeof v, 1, out); }

ffi_type layoutType;
ffi_type *layoutElements[19];

// Checks the red zones of the buffers a launch was given (a kernel reaches memory only through its pointer
// parameters): checking every live buffer after each launch made a launch's cost grow with the number of buffers
// (thousands when the whole CUDA backend runs here, its allocator caching blocks).
std::string checkRedZones(const std::vector<int32_t> &ids) {
    for (int32_t id : ids) {
        auto it = buffers.find(id);
        if (it == buffers.end()) continue;
        Buffer &b = it->second;
        for (size_t k = 0; k < RED_ZONE; k++) {
            if (b.base[k] != RED || b.base[RED_ZONE + b.size + k] != RED) {
                return "write outside buffer " + std::to_string(id) + " (" + std::to_string(b.size) + " bytes)";
            }
        }
    }
    return "";
}

std::string launch() {
    int32_t nameLen = get<int32_t>();
    std::string name(nameLen, '\0');
    readFully(&name[0], nameLen);
    int32_t gx = get<int32_t>(), bx = get<int32_t>(), orderMode = get<int32_t>(), np = get<int32_t>();
    if (np < 0 || np > 64) {
        fprintf(stderr, "emu_runner: %d parameters\n", np);
        exit(3);
    }
    std::vector<Param> params(np);
    std::vector<ffi_type *> types(np);
    std::string problem;
    std::vector<int32_t> ids;
    for (int k = 0; k < np; k++) {
        char kind = get<char>();
        switch (kind) {
            case 'p': {
                int32_t id = get<int32_t>();
                int64_t off = get<int64_t>();
                auto it = buffers.find(id);
                ids.push_back(id);
                if (it == buffers.end()) problem = "parameter " + std::to_string(k) + ": no buffer " + std::to_string(id);
                params[k].p = it == buffers.end() ? nullptr : it->second.data() + off;
                types[k] = &ffi_type_pointer;
                break;
            }
            case 'i': params[k].i = get<int32_t>(); types[k] = &ffi_type_sint32; break;
            case 'l': params[k].l = get<int64_t>(); types[k] = &ffi_type_sint64; break;
            case 'f': params[k].f = get<float>(); types[k] = &ffi_type_float; break;
            case 'd': params[k].d = get<double>(); types[k] = &ffi_type_double; break;
            case 'L': readFully(params[k].layout, sizeof params[k].layout); types[k] = &layoutType; break;
            default: fprintf(stderr, "emu_runner: bad parameter kind %d\n", kind); exit(3);
        }
    }
    if (!problem.empty()) return problem;
    void *fn = dlsym(RTLD_DEFAULT, name.c_str());
    if (fn == nullptr || name.rfind("nabla_", 0) != 0) return "no kernel named " + name;
    if (gx < 1 || bx < 1 || bx > 1024) return "bad launch configuration";
    if (ffi_prep_cif(&launchCif, FFI_DEFAULT_ABI, np, &ffi_type_void, types.data()) != FFI_OK) return "ffi_prep_cif failed";
    launchFn = (void (*)()) fn;
    launchParams = &params;
    std::function<void()> body = ffiThread;
    std::string r = emu_run_grid(dim3(gx), dim3(bx), orderMode, body);
    if (!r.empty()) return r;
    return checkRedZones(ids);
}

}  // namespace

std::string emu_run_grid(dim3 grid, dim3 block, int orderMode, const std::function<void()> &body) {
    if (grid.y != 1 || grid.z != 1 || block.y != 1 || block.z != 1) return "only 1-D grids and blocks are emulated";
    unsigned int gx = grid.x, bx = block.x;
    if (gx < 1 || bx < 1 || bx > 1024) return "bad launch configuration";
    threadBody = &body;
    gridDim = dim3(gx, 1, 1);
    blockDim = dim3(bx, 1, 1);
    std::vector<unsigned int> blocks(gx), threads(bx);
    for (unsigned int i = 0; i < gx; i++) blocks[i] = i;
    for (unsigned int i = 0; i < bx; i++) threads[i] = i;
    std::mt19937 rng(12345);
    if (orderMode == 1) {
        std::reverse(blocks.begin(), blocks.end());
        std::reverse(threads.begin(), threads.end());
    }
    if (fibers.size() < (size_t) bx) {
        size_t old = fibers.size();
        fibers.resize(bx);
        for (size_t i = old; i < fibers.size(); i++) fibers[i].stack = (char *) malloc(STACK_SIZE);
    }
    for (unsigned int b : blocks) {
        if (orderMode == 2) std::shuffle(threads.begin(), threads.end(), rng);
        blockIdx = {b, 0, 0};
        for (unsigned int t = 0; t < bx; t++) {
            fibers[t].state = 0;
            fibers[t].started = false;
            fibers[t].tid = {t, 0, 0};
        }
        std::string r = runBlock(threads);
        if (!r.empty()) return r;
    }
    return "";
}


int main() {
    in = stdin;
    out = stdout;
    for (int k = 0; k < 18; k++) layoutElements[k] = &ffi_type_sint32;
    layoutElements[18] = nullptr;
    layoutType.size = 0;
    layoutType.alignment = 0;
    layoutType.type = FFI_TYPE_STRUCT;
    layoutType.elements = layoutElements;
    for (;;) {
        int c = fgetc(in);
        if (c == EOF || c == 'Q') return 0;
        switch (c) {
            case 'A': {
                int64_t bytes = get<int64_t>();
                Buffer b;
                b.size = (size_t) bytes;
                b.base = (unsigned char *) aligned_alloc(64, ((b.size + 2 * RED_ZONE) + 63) / 64 * 64);
                memset(b.base, RED, RED_ZONE);
                memset(b.base + RED_ZONE, 0xCD, b.size);
                memset(b.base + RED_ZONE + b.size, RED, RED_ZONE);
                int id = nextId++;
                buffers[id] = b;
                put<int32_t>(id);
                break;
            }
            case 'W': {
                int32_t id = get<int32_t>();
                int64_t off = get<int64_t>();
                int32_t len = get<int32_t>();
                readFully(buffers.at(id).data() + off, len);
                put<int32_t>(0);
                break;
            }
            case 'R': {
                int32_t id = get<int32_t>();
                int64_t off = get<int64_t>();
                int32_t len = get<int32_t>();
                fwrite(buffers.at(id).data() + off, 1, len, out);
                break;
            }
            case 'F': {
                int32_t id = get<int32_t>();
                free(buffers.at(id).base);
                buffers.erase(id);
                put<int32_t>(0);
                break;
            }
            case 'T': {  // emu_launch, the C++ form of kernel<<<grid, block>>>(args...)
                std::vector<int> v(100, -1);
                NablaLayout l = {1, 0, {90, 1, 1, 1, 1, 1, 1, 1}, {1, 0, 0, 0, 0, 0, 0, 0}};
                std::string r = emu_launch(nabla_fill_i32, dim3(3), dim3(7), v.data(), l, 90LL, 5);
                bool ok = r.empty();
                for (int i = 0; i < 100; i++) ok &= v[i] == (i < 90 ? 5 : -1);
                put<int32_t>(ok ? 0 : 1);
                break;
            }
            case 'L': {
                std::string r = launch();
                put<int32_t>(r.empty() ? 0 : 1);
                put<int32_t>((int32_t) r.size());
                fwrite(r.data(), 1, r.size(), out);
                break;
            }
            default:
                fprintf(stderr, "emu_runner: unknown command %d\n", c);
                return 2;
        }
        fflush(out);
    }
}
