package dev.nabla.engine;

import dev.nabla.Tensor;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FastPath;

/**
 * Entry points for work that a backend may run as one pass instead of several ops: optimizer updates,
 * and gradients that autograd computes with recording off. Each reports when the backend has no fused
 * version (or the tensors do not qualify), and the caller then composes the result from ordinary ops.
 */
public final class FusedOps {
    private FusedOps() {
    }

    /**
     * {@code input > 0 ? grad : 0} as one pass (see {@link dev.nabla.spi.Backend#reluBackward}), or null when the
     * backend has none for these tensors. Not recorded for autograd: callers use it with recording off.
     */
    public static Tensor reluBackward(Tensor grad, Tensor input) {
        if (!grad.isContiguous() || !input.isContiguous() || grad.dtype() != input.dtype()
                || !grad.device().equals(input.device()) || !java.util.Arrays.equals(grad.shape(), input.shape())
                || !Tensors.backend(grad).supports(FastPath.RELU_BACKWARD, grad.dtype())) {
            return null;
        }
        Tensor out = Tensors.empty(grad.device(), grad.dtype(), grad.shape());
        boolean done = Tensors.backend(grad).reluBackward(grad.operand(), input.operand(), out.operand());
        java.lang.ref.Reference.reachabilityFence(grad);
        java.lang.ref.Reference.reachabilityFence(input);
        if (!done) {
            out.close();
            return null;
        }
        return out;
    }

    /**
     * The weight and bias gradients of a convolution in one pass over {@code gradOut} (see
     * {@link dev.nabla.spi.Backend#conv2dBackwardFilterAndBias}), or null when the backend has none for these
     * tensors. Not recorded for autograd: callers use it with recording off.
     */
    public static Tensor[] conv2dBackwardFilterAndBias(Tensor x, Tensor gradOut, Conv2dGeometry geometry, int groups,
                                                       int outChannels) {
        if (x.dtype() != gradOut.dtype() || !x.device().equals(gradOut.device()) || !x.isContiguous()
                || !gradOut.isContiguous() || !Tensors.backend(x).supports(FastPath.CONV2D_BACKWARD_FILTER_AND_BIAS, x.dtype())) {
            return null;
        }
        Tensor gradW = Tensors.empty(x.device(), x.dtype(), outChannels, x.size(1) / groups, geometry.kernelH(),
                geometry.kernelW());
        Tensor gradB = Tensors.empty(x.device(), x.dtype(), outChannels);
        boolean done = Tensors.backend(x).conv2dBackwardFilterAndBias(x.operand(), gradOut.operand(), geometry, groups,
                gradW.operand(), gradB.operand());
        java.lang.ref.Reference.reachabilityFence(x);
        java.lang.ref.Reference.reachabilityFence(gradOut);
        if (!done) {
            gradW.close();
            gradB.close();
            return null;
        }
        return new Tensor[]{gradW, gradB};
    }

    /**
     * The gradient of {@code maxPool2d(relu(x))} with respect to {@code x}, given the ReLU's output and the pooled
     * gradient, in one pass (see {@link dev.nabla.spi.Backend#maxPool2dReluBackward}), or null when the backend has
     * none. Not recorded for autograd: the engine uses it with recording off.
     */
    public static Tensor maxPool2dReluBackward(Tensor gradOut, Tensor reluOut, Conv2dGeometry geometry) {
        if (!gradOut.isContiguous() || !reluOut.isContiguous() || gradOut.dtype() != reluOut.dtype()
                || !gradOut.device().equals(reluOut.device())
                || !Tensors.backend(reluOut).supports(FastPath.MAX_POOL2D_RELU_BACKWARD, reluOut.dtype())) {
            return null;
        }
        Tensor gradIn = Tensors.empty(reluOut.device(), reluOut.dtype(), reluOut.shape());
        boolean done = Tensors.backend(reluOut).maxPool2dReluBackward(gradOut.operand(), reluOut.operand(), geometry,
                gradIn.operand());
        java.lang.ref.Reference.reachabilityFence(gradOut);
        java.lang.ref.Reference.reachabilityFence(reluOut);
        if (!done) {
            gradIn.close();
            return null;
        }
        return gradIn;
    }

    /**
     * The gradients of a batch norm ({@link dev.nabla.ops.Op.BatchNorm}) with respect to its input (null unless
     * {@code wantInput}), weight and bias, from the backend's two passes (see {@link dev.nabla.spi.Backend#batchNormBackward}),
     * or null when the backend has none for these tensors. Not recorded for autograd: callers use it with recording off.
     */
    public static Tensor[] batchNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor var, Tensor weight,
                                             double eps, boolean training, boolean wantInput) {
        Tensor[] all = {gradOut, x, mean, var, weight};
        for (Tensor t : all) {
            if (!t.isContiguous() || t.dtype() != x.dtype() || !t.device().equals(x.device())) {
                return null;
            }
        }
        if (x.numel() == 0 || !Tensors.backend(x).supports(FastPath.BATCH_NORM_BACKWARD, x.dtype())) {
            return null;
        }
        int c = x.size(1);
        Tensor gradIn = wantInput ? Tensors.empty(x.device(), x.dtype(), x.shape()) : null;
        Tensor gradWeight = Tensors.empty(x.device(), x.dtype(), c);
        Tensor gradBias = Tensors.empty(x.device(), x.dtype(), c);
        boolean done = Tensors.backend(x).batchNormBackward(gradOut.operand(), x.operand(), mean.operand(), var.operand(),
                weight.operand(), eps, training, gradIn == null ? null : gradIn.operand(), gradWeight.operand(),
                gradBias.operand());
        java.lang.ref.Reference.reachabilityFence(all);
        if (!done) {
            if (gradIn != null) {
                gradIn.close();
            }
            gradWeight.close();
            gradBias.close();
            return null;
        }
        return new Tensor[]{gradIn, gradWeight, gradBias};
    }

    /** See {@link dev.nabla.spi.Backend#adamStep}; all tensors must be contiguous and of one dtype and device. */
    public static boolean adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                                   double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        Tensor[] all = {param, grad, expAvg, expAvgSq};
        if (!Tensors.backend(param).supports(FastPath.ADAM_STEP, param.dtype())) {
            return false;
        }
        for (Tensor t : all) {
            if (!t.isContiguous() || t.dtype() != param.dtype() || !t.device().equals(param.device())) {
                return false;
            }
        }
        boolean done = Tensors.backend(param).adamStep(param.operand(), grad.operand(), expAvg.operand(), expAvgSq.operand(),
                lr, beta1, beta2, eps, weightDecay, decoupled, step);
        if (done) {
            Tensors.storage(param).bumpVersion();
            Tensors.storage(expAvg).bumpVersion();
            Tensors.storage(expAvgSq).bumpVersion();
        }
        java.lang.ref.Reference.reachabilityFence(all);
        return done;
    }
}
