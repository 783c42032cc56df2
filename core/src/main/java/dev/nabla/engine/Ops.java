package dev.nabla.engine;

import dev.nabla.Tensor;
import dev.nabla.ops.Op;

/**
 * Runs primitive op records, for code that holds ops as data (a graph replayed by the inference module).
 */
public final class Ops {
    private Ops() {
    }

    /**
     * Runs {@code op} on {@code inputs} exactly as eager mode does: device checks, the forward rule and the
     * backend's kernel, the autograd tape and the tracer. Unlike the {@link Tensor} methods it does not promote
     * dtypes: the inputs must already have the dtypes the op expects (as they had when the op was recorded).
     * The record's attributes are checked against the inputs first, so a record from an untrusted source
     * fails with an exception naming the op instead of reading the wrong elements.
     */
    public static Tensor run(Op op, Tensor... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException(op.name() + ": expected at least one input tensor");
        }
        OpChecks.check(op, inputs);
        return Dispatcher.apply(op, inputs);
    }

    /** True if {@link #runInto} can write {@code op}'s result into a given tensor (views and a few others cannot). */
    public static boolean writesInto(Op op) {
        return Forward.writesInto(op);
    }

    /**
     * {@link #run}, writing the result into {@code into} instead of new memory: a contiguous tensor of the result's
     * dtype and shape that no input overlaps (a runtime that plans its memory passes slices of one buffer). Returns
     * {@code into}. Not recorded for autograd: inputs that require gradients are refused while grad mode is on.
     */
    public static Tensor runInto(Op op, Tensor into, Tensor... inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException(op.name() + ": expected at least one input tensor");
        }
        if (!writesInto(op)) {
            throw new IllegalArgumentException(op.name() + ": cannot write its result into a given tensor");
        }
        OpChecks.check(op, inputs);
        for (int i = 0; i < inputs.length; i++) {
            if (overlap(into, inputs[i])) {
                throw new IllegalArgumentException(op.name() + ": input " + i + " overlaps the tensor the result is "
                        + "written into");
            }
        }
        return Dispatcher.applyInto(op, into, inputs);
    }

    /** Whether two tensors' element ranges in one storage intersect (conservatively: their spans, not each element). */
    private static boolean overlap(Tensor a, Tensor b) {
        if (Tensors.storage(a) != Tensors.storage(b) || a.numel() == 0 || b.numel() == 0) {
            return false;
        }
        return end(a, false) <= end(b, true) && end(b, false) <= end(a, true);
    }

    /** The first ({@code last} false) or last storage index a tensor's elements occupy; allocates nothing. */
    private static long end(Tensor t, boolean last) {
        long at = t.layout().offset();
        int[] shape = t.layout().shape();
        int[] strides = t.layout().strides();
        for (int d = 0; d < shape.length; d++) {
            long reach = (long) (shape[d] - 1) * strides[d];
            if (last == reach > 0) {
                at += reach;
            }
        }
        return at;
    }
}
