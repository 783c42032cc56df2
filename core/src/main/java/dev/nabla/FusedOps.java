package dev.nabla;

/**
 * Entry points for optimizer updates that a backend may run as one pass over a parameter. Each
 * returns false when the backend has no fused version (or the tensors do not qualify), and the
 * caller then composes the update from ordinary ops.
 */
public final class FusedOps {
    private FusedOps() {
    }

    /** See {@link dev.nabla.spi.Backend#adamStep}; all tensors must be contiguous and of one dtype and device. */
    public static boolean adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                                   double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        Tensor[] all = {param, grad, expAvg, expAvgSq};
        for (Tensor t : all) {
            if (!t.isContiguous() || t.dtype != param.dtype || !t.device().equals(param.device())) {
                return false;
            }
        }
        boolean done = param.backend().adamStep(param.operand(), grad.operand(), expAvg.operand(), expAvgSq.operand(),
                lr, beta1, beta2, eps, weightDecay, decoupled, step);
        if (done) {
            param.storage.bumpVersion();
            expAvg.storage.bumpVersion();
            expAvgSq.storage.bumpVersion();
        }
        java.lang.ref.Reference.reachabilityFence(all);
        return done;
    }
}
