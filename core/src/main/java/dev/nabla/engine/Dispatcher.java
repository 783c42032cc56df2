package dev.nabla.engine;

import dev.nabla.AnomalyException;
import dev.nabla.AutogradException;
import dev.nabla.Device;
import dev.nabla.DeviceException;
import dev.nabla.HalfFloats;
import dev.nabla.Node;
import dev.nabla.Tensor;
import dev.nabla.autograd.AnomalyMode;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.GradientRules;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.ops.Tracer;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;

/**
 * The one path every primitive op takes: check devices, run the forward rule, record the autograd
 * tape, report to the tracer, and (in anomaly mode) check for NaN/infinity.
 */
public final class Dispatcher {
    public static final ThreadLocal<Tracer> TRACER = new ThreadLocal<>();
    /** True while gradient rules run: the engine checks their results and names the rule's op. */
    static final ThreadLocal<boolean[]> IN_BACKWARD = ThreadLocal.withInitial(() -> new boolean[1]);

    private Dispatcher() {
    }

    public static Tensor apply(Op op, Tensor... inputs) {
        return applyInto(op, null, inputs);
    }

    /** {@link #apply(Op, Tensor...)}, writing the result into {@code into} when it is not null (see Forward). */
    static Tensor applyInto(Op op, Tensor into, Tensor... inputs) {
        Device device = inputs[0].device();
        boolean anyRequiresGrad = false;
        for (Tensor t : inputs) {
            Tensors.checkOpen(t);
            if (!t.device().equals(device)) {
                throw new DeviceException(op.name() + ": expected all tensors on one device, found " + device
                        + " and " + t.device());
            }
            anyRequiresGrad |= t.requiresGrad();
        }
        if (into != null && anyRequiresGrad && GradMode.isEnabled()) {
            throw new AutogradException(op.name() + ": a result written into a given tensor is not recorded for "
                    + "autograd; run it without gradients");
        }
        Tensor out;
        try {
            out = Forward.run(op, inputs, into);
        } finally {
            // The backend read the inputs' buffers; keep the tensors (and so their Cleaners) alive until here.
            Reference.reachabilityFence(inputs);
            Reference.reachabilityFence(into);
        }
        if (AnomalyMode.isEnabled() && !IN_BACKWARD.get()[0]) {
            checkFinite(op, inputs, out, "forward");
        }
        if (anyRequiresGrad && GradMode.isEnabled() && out.dtype().isFloatingPoint() && GradientRules.isDifferentiable(op)) {
            Tensors.setGradFn(out, Tensors.newNode(op, inputs, out));
            Tensors.setRequiresGrad(out, true);
        }
        Tracer tracer = TRACER.get();
        if (tracer != null) {
            tracer.record(op, List.of(inputs), out);
        }
        return out;
    }

    /**
     * Runs a forward rule built from other ops (a default decomposition): without autograd, tracing or
     * anomaly checks of the parts, so that only the primitive being computed is recorded.
     */
    static Tensor decomposed(java.util.function.Supplier<Tensor> rule) {
        Tracer tracer = TRACER.get();
        boolean[] inBackward = IN_BACKWARD.get();
        boolean previous = inBackward[0];
        if (tracer != null) {
            TRACER.remove();
        }
        inBackward[0] = true;
        try (var off = GradMode.noGrad()) {
            return rule.get();
        } finally {
            inBackward[0] = previous;
            if (tracer != null) {
                TRACER.set(tracer);
            }
        }
    }

    /** Anomaly mode: names the op whose result holds NaN or infinity, with its input shapes. */
    static void checkFinite(Op op, Tensor[] inputs, Tensor result, String phase) {
        if (result == null || !result.dtype().isFloatingPoint()) {
            return;
        }
        // Read the raw buffer: going through to(FLOAT64) would dispatch (and check) again.
        Object raw = Tensors.backend(result).toArray(result.operand());
        double[] values;
        if (raw instanceof short[] h) {
            values = new double[h.length];
            for (int i = 0; i < h.length; i++) {
                values[i] = HalfFloats.toFloat(result.dtype(), h[i]);
            }
        } else if (raw instanceof float[] f) {
            values = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                values[i] = f[i];
            }
        } else {
            values = (double[]) raw;
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                String shapes = Arrays.stream(inputs).map(t -> Shapes.str(t.layout().shape())).toList().toString();
                throw new AnomalyException("anomaly: '" + op.name() + "' produced " + v + " in " + phase
                        + " (input shapes " + shapes + ", op " + op + ")");
            }
        }
    }
}
