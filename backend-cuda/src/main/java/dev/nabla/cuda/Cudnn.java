package dev.nabla.cuda;

import dev.nabla.cuda.runtime.CudaStream;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.LongFunction;

import static dev.nabla.cuda.runtime.CudaErrors.checkCudnn;

/**
 * The device's cuDNN handle on its stream, and the legacy cuDNN calls of the convolution and pooling fast paths:
 * {@code cudnnConvolutionForward} (+ {@code cudnnAddTensor} for the bias, {@code cudnnActivationForward} for ReLU),
 * {@code …BackwardData}, {@code …BackwardFilter}, {@code …BackwardBias}, {@code cudnnPoolingForward}/{@code
 * Backward}. Descriptors and chosen algorithms are cached per {@link ConvSpec}/{@link PoolSpec} (a bounded LRU).
 * Algorithms come from {@code cudnnGetConvolution*Algorithm_v7} ({@link AlgoChoice}) under the descriptor's math
 * type, which is {@code CUDNN_FMA_MATH} unless TF32 is allowed (cuDNN's default math would use TF32 for FLOAT32).
 * Each call's workspace comes from the caching allocator (the {@link Workspace} the caller passes) and goes back to
 * it right after the call is queued, which is safe because everything runs on one stream in order. Statuses are
 * checked here and named with {@code cudnnGetErrorString} (cuDNN 9 renumbered them). Device thread only.
 */
final class Cudnn implements AutoCloseable {
    static final int DATA_FLOAT = 0;
    static final int DATA_DOUBLE = 1;
    private static final int NCHW = 0;
    private static final int CROSS_CORRELATION = 1;
    private static final int POOLING_MAX = 0;
    private static final int PROPAGATE_NAN = 1;
    private static final int ACTIVATION_RELU = 1;
    private static final int FMA_MATH = 3;
    private static final int DEFAULT_MATH = 0;
    private static final int ALGO_REQUEST = 16;
    private static final int CACHE = 64;

    /** Device scratch memory for one call: {@code pointer} holds at least the requested bytes. */
    interface Workspace extends AutoCloseable {
        Pointer pointer();

        @Override
        void close();
    }

    private final cudnnHandle handle = new cudnnHandle();
    private final boolean tf32;
    private final long workspaceLimit;
    private final Map<ConvSpec, ConvPlan> convPlans = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<PoolSpec, PoolPlan> poolPlans = new LinkedHashMap<>(16, 0.75f, true);
    private cudnnActivationDescriptor relu;
    private boolean closed;

    Cudnn(CudaStream stream, boolean tf32, long workspaceLimit) {
        this.tf32 = tf32;
        this.workspaceLimit = workspaceLimit;
        checkCudnn(JCudnn.cudnnCreate(handle), "cudnnCreate");
        int r = JCudnn.cudnnSetStream(handle, stream.runtimeHandle());
        if (r != 0) {
            JCudnn.cudnnDestroy(handle);
            checkCudnn(r, "cudnnSetStream");
        }
    }

    // ---- convolution

    private final class ConvPlan {
        final ConvSpec spec;
        final cudnnTensorDescriptor x = tensor();
        final cudnnTensorDescriptor y = tensor();
        final cudnnTensorDescriptor bias = tensor();
        final cudnnFilterDescriptor w = new cudnnFilterDescriptor();
        final cudnnConvolutionDescriptor conv = new cudnnConvolutionDescriptor();
        int fwdAlgo = -1;
        long fwdBytes;
        int dataAlgo = -1;
        long dataBytes;
        int filterAlgo = -1;
        long filterBytes;

        ConvPlan(ConvSpec s) {
            spec = s;
            set4d(x, s.dataType(), s.xDims());
            set4d(y, s.dataType(), s.yDims());
            set4d(bias, s.dataType(), new int[]{1, s.o(), 1, 1});
            checkCudnn(JCudnn.cudnnCreateFilterDescriptor(w), "cudnnCreateFilterDescriptor");
            int[] wd = s.wDims();
            checkCudnn(JCudnn.cudnnSetFilter4dDescriptor(w, s.dataType(), NCHW, wd[0], wd[1], wd[2], wd[3]),
                    "cudnnSetFilter4dDescriptor");
            checkCudnn(JCudnn.cudnnCreateConvolutionDescriptor(conv), "cudnnCreateConvolutionDescriptor");
            // The compute type: double for double data, float otherwise (pseudo-half is not used).
            checkCudnn(JCudnn.cudnnSetConvolution2dDescriptor(conv, s.padH(), s.padW(), s.strideH(), s.strideW(),
                    s.dilationH(), s.dilationW(), CROSS_CORRELATION, s.dataType()), "cudnnSetConvolution2dDescriptor");
            checkCudnn(JCudnn.cudnnSetConvolutionGroupCount(conv, s.groups()), "cudnnSetConvolutionGroupCount");
            // Fixed for the descriptor's life: JCudnn does not copy the perf results' mathType back to Java (its
            // releaseNative skips the field: it always reads 0), so the math type cannot follow the chosen algorithm;
            // the descriptor's math type is what cuDNN then obeys for every algorithm.
            checkCudnn(JCudnn.cudnnSetConvolutionMathType(conv, allowedMath()), "cudnnSetConvolutionMathType");
        }

        void forwardAlgo() {
            if (fwdAlgo >= 0) {
                return;
            }
            cudnnConvolutionFwdAlgoPerf[] perf = new cudnnConvolutionFwdAlgoPerf[ALGO_REQUEST];
            for (int i = 0; i < perf.length; i++) {
                perf[i] = new cudnnConvolutionFwdAlgoPerf();
            }
            int[] count = new int[1];
            checkCudnn(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, x, w, conv, y, perf.length, count, perf),
                    "cudnnGetConvolutionForwardAlgorithm_v7");
            int pick = choose(count[0], i -> perf[i].status, i -> perf[i].memory, "forward");
            fwdAlgo = perf[pick].algo;
            long[] bytes = new long[1];
            checkCudnn(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, x, w, conv, y, fwdAlgo, bytes),
                    "cudnnGetConvolutionForwardWorkspaceSize");
            fwdBytes = bytes[0];
        }

        void dataAlgo() {
            if (dataAlgo >= 0) {
                return;
            }
            cudnnConvolutionBwdDataAlgoPerf[] perf = new cudnnConvolutionBwdDataAlgoPerf[ALGO_REQUEST];
            for (int i = 0; i < perf.length; i++) {
                perf[i] = new cudnnConvolutionBwdDataAlgoPerf();
            }
            int[] count = new int[1];
            checkCudnn(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, w, y, conv, x, perf.length, count,
                    perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
            int pick = choose(count[0], i -> perf[i].status, i -> perf[i].memory, "backward data");
            dataAlgo = perf[pick].algo;
            long[] bytes = new long[1];
            checkCudnn(JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, w, y, conv, x, dataAlgo, bytes),
                    "cudnnGetConvolutionBackwardDataWorkspaceSize");
            dataBytes = bytes[0];
        }

        void filterAlgo() {
            if (filterAlgo >= 0) {
                return;
            }
            cudnnConvolutionBwdFilterAlgoPerf[] perf = new cudnnConvolutionBwdFilterAlgoPerf[ALGO_REQUEST];
            for (int i = 0; i < perf.length; i++) {
                perf[i] = new cudnnConvolutionBwdFilterAlgoPerf();
            }
            int[] count = new int[1];
            checkCudnn(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, x, y, conv, w, perf.length, count,
                    perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
            int pick = choose(count[0], i -> perf[i].status, i -> perf[i].memory, "backward filter");
            filterAlgo = perf[pick].algo;
            long[] bytes = new long[1];
            checkCudnn(JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, x, y, conv, w, filterAlgo, bytes),
                    "cudnnGetConvolutionBackwardFilterWorkspaceSize");
            filterBytes = bytes[0];
        }

        /** The algorithm to use among the {@code n} cuDNN proposed (each perf type has its own class). */
        private int choose(int n, IntUnaryOperator statusOf, IntToLongFunction memoryOf, String what) {
            int[] status = new int[n];
            long[] memory = new long[n];
            for (int i = 0; i < n; i++) {
                status[i] = statusOf.applyAsInt(i);
                memory[i] = memoryOf.applyAsLong(i);
            }
            int pick = AlgoChoice.pick(n, status, memory, workspaceLimit);
            if (pick < 0) {
                throw new IllegalStateException("cuDNN offers no convolution " + what + " algorithm for " + spec
                        + " within a workspace of " + workspaceLimit + " bytes" + (tf32 ? "" : " without TF32"));
            }
            return pick;
        }

        void destroy() {
            JCudnn.cudnnDestroyTensorDescriptor(x);
            JCudnn.cudnnDestroyTensorDescriptor(y);
            JCudnn.cudnnDestroyTensorDescriptor(bias);
            JCudnn.cudnnDestroyFilterDescriptor(w);
            JCudnn.cudnnDestroyConvolutionDescriptor(conv);
        }
    }

    /** FMA math for FLOAT32 unless TF32 is allowed (cuDNN's default math would use TF32 on Ampere and newer). */
    private int allowedMath() {
        return tf32 ? DEFAULT_MATH : FMA_MATH;
    }

    private ConvPlan convPlan(ConvSpec spec) {
        ConvPlan p = convPlans.get(spec);
        if (p == null) {
            p = new ConvPlan(spec);
            convPlans.put(spec, p);
            if (convPlans.size() > CACHE) {
                var eldest = convPlans.entrySet().iterator();
                ConvPlan old = eldest.next().getValue();
                eldest.remove();
                old.destroy();
            }
        }
        return p;
    }

    /** {@code y = conv(x, w)} (+ bias per output channel unless null) (then ReLU if {@code relu}). */
    void convForward(ConvSpec spec, CUdeviceptr x, CUdeviceptr w, CUdeviceptr bias, boolean relu, CUdeviceptr y,
                     LongFunction<Workspace> workspace) {
        ConvPlan p = convPlan(spec);
        p.forwardAlgo();
        try (Workspace ws = workspace.apply(p.fwdBytes)) {
            checkCudnn(JCudnn.cudnnConvolutionForward(handle, one(spec.dataType()), p.x, x, p.w, w, p.conv, p.fwdAlgo,
                    ws.pointer(), p.fwdBytes, zero(spec.dataType()), p.y, y), "cudnnConvolutionForward");
        }
        if (bias != null) {
            checkCudnn(JCudnn.cudnnAddTensor(handle, one(spec.dataType()), p.bias, bias, one(spec.dataType()), p.y, y),
                    "cudnnAddTensor");
        }
        if (relu) {
            checkCudnn(JCudnn.cudnnActivationForward(handle, relu(), one(spec.dataType()), p.y, y,
                    zero(spec.dataType()), p.y, y), "cudnnActivationForward");
        }
    }

    /** {@code dx = conv2d's input gradient given dy}. */
    void convBackwardData(ConvSpec spec, CUdeviceptr w, CUdeviceptr dy, CUdeviceptr dx,
                          LongFunction<Workspace> workspace) {
        ConvPlan p = convPlan(spec);
        p.dataAlgo();
        try (Workspace ws = workspace.apply(p.dataBytes)) {
            checkCudnn(JCudnn.cudnnConvolutionBackwardData(handle, one(spec.dataType()), p.w, w, p.y, dy, p.conv,
                    p.dataAlgo, ws.pointer(), p.dataBytes, zero(spec.dataType()), p.x, dx),
                    "cudnnConvolutionBackwardData");
        }
    }

    /** {@code dw = conv2d's weight gradient given x and dy}; and {@code db} (sum of dy over N, H, W) unless null. */
    void convBackwardFilter(ConvSpec spec, CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dw, CUdeviceptr db,
                            LongFunction<Workspace> workspace) {
        ConvPlan p = convPlan(spec);
        p.filterAlgo();
        try (Workspace ws = workspace.apply(p.filterBytes)) {
            checkCudnn(JCudnn.cudnnConvolutionBackwardFilter(handle, one(spec.dataType()), p.x, x, p.y, dy, p.conv,
                    p.filterAlgo, ws.pointer(), p.filterBytes, zero(spec.dataType()), p.w, dw),
                    "cudnnConvolutionBackwardFilter");
        }
        if (db != null) {
            checkCudnn(JCudnn.cudnnConvolutionBackwardBias(handle, one(spec.dataType()), p.y, dy,
                    zero(spec.dataType()), p.bias, db), "cudnnConvolutionBackwardBias");
        }
    }

    // ---- pooling

    private final class PoolPlan {
        final cudnnTensorDescriptor x = tensor();
        final cudnnTensorDescriptor y = tensor();
        final cudnnPoolingDescriptor pool = new cudnnPoolingDescriptor();

        PoolPlan(PoolSpec s) {
            set4d(x, s.dataType(), s.xDims());
            set4d(y, s.dataType(), s.yDims());
            checkCudnn(JCudnn.cudnnCreatePoolingDescriptor(pool), "cudnnCreatePoolingDescriptor");
            checkCudnn(JCudnn.cudnnSetPooling2dDescriptor(pool, POOLING_MAX, PROPAGATE_NAN, s.kh(), s.kw(), s.padH(),
                    s.padW(), s.strideH(), s.strideW()), "cudnnSetPooling2dDescriptor");
        }

        void destroy() {
            JCudnn.cudnnDestroyTensorDescriptor(x);
            JCudnn.cudnnDestroyTensorDescriptor(y);
            JCudnn.cudnnDestroyPoolingDescriptor(pool);
        }
    }

    private PoolPlan poolPlan(PoolSpec spec) {
        PoolPlan p = poolPlans.get(spec);
        if (p == null) {
            p = new PoolPlan(spec);
            poolPlans.put(spec, p);
            if (poolPlans.size() > CACHE) {
                var eldest = poolPlans.entrySet().iterator();
                PoolPlan old = eldest.next().getValue();
                eldest.remove();
                old.destroy();
            }
        }
        return p;
    }

    void maxPoolForward(PoolSpec spec, CUdeviceptr x, CUdeviceptr y) {
        PoolPlan p = poolPlan(spec);
        checkCudnn(JCudnn.cudnnPoolingForward(handle, p.pool, one(spec.dataType()), p.x, x, zero(spec.dataType()),
                p.y, y), "cudnnPoolingForward");
    }


    // ---- helpers

    private cudnnActivationDescriptor relu() {
        if (relu == null) {
            cudnnActivationDescriptor d = new cudnnActivationDescriptor();
            checkCudnn(JCudnn.cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor");
            checkCudnn(JCudnn.cudnnSetActivationDescriptor(d, ACTIVATION_RELU, PROPAGATE_NAN, 0.0),
                    "cudnnSetActivationDescriptor");
            relu = d;
        }
        return relu;
    }

    private static cudnnTensorDescriptor tensor() {
        cudnnTensorDescriptor d = new cudnnTensorDescriptor();
        checkCudnn(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
        return d;
    }

    private static void set4d(cudnnTensorDescriptor d, int dataType, int[] dims) {
        checkCudnn(JCudnn.cudnnSetTensor4dDescriptor(d, NCHW, dataType, dims[0], dims[1], dims[2], dims[3]),
                "cudnnSetTensor4dDescriptor");
    }

    /** α = 1 in the scaling type of {@code dataType}: double for DOUBLE data, float otherwise (cuDNN's rule). */
    private static Pointer one(int dataType) {
        return dataType == DATA_DOUBLE ? Pointer.to(new double[]{1}) : Pointer.to(new float[]{1});
    }

    private static Pointer zero(int dataType) {
        return dataType == DATA_DOUBLE ? Pointer.to(new double[]{0}) : Pointer.to(new float[]{0});
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        convPlans.values().forEach(ConvPlan::destroy);
        convPlans.clear();
        poolPlans.values().forEach(PoolPlan::destroy);
        poolPlans.clear();
        if (relu != null) {
            JCudnn.cudnnDestroyActivationDescriptor(relu);
        }
        checkCudnn(JCudnn.cudnnDestroy(handle), "cudnnDestroy");
    }
}
