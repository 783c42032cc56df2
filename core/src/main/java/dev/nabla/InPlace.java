package dev.nabla;

import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

/**
 * Writes into existing tensors (parameter updates, gradient accumulation). These are not recorded
 * by autograd; they bump the storage version so that a stale saved tensor is detected.
 */
final class InPlace {
    private InPlace() {
    }

    static Tensor copyFrom(Tensor dst, Tensor src) {
        checkWritable("copyFrom", dst);
        src.checkOpen();
        requireSameDevice("copyFrom", dst, src);
        dst.backend().copy(broadcastTo("copyFrom", src, dst), dst.operand());
        dst.storage.bumpVersion();
        return dst;
    }

    static Tensor fill(Tensor dst, double value) {
        checkWritable("fill", dst);
        dst.backend().fill(dst.operand(), value);
        dst.storage.bumpVersion();
        return dst;
    }

    static Tensor binary(BinaryOp op, Tensor dst, Tensor other) {
        checkWritable(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", dst);
        requireSameDevice(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", dst, other);
        if (!dst.dtype.isFloatingPoint() && other.dtype.isFloatingPoint()) {
            throw new DTypeException(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace: cannot write a " + other.dtype
                    + " result into a " + dst.dtype + " tensor");
        }
        if (dst.dtype.isHalf()) {
            halfBinary(op, dst, other);
            return dst;
        }
        Tensor converted = other.to(dst.dtype);
        dst.backend().binary(op, dst.operand(), broadcastTo(op.name().toLowerCase(java.util.Locale.ROOT), converted, dst), dst.operand());
        dst.storage.bumpVersion();
        return dst;
    }

    /** {@code grad += g} for gradient accumulation (grad is owned, contiguous, never shared). */
    static void accumulate(Tensor grad, Tensor g) {
        if (grad.dtype.isHalf()) {
            halfBinary(BinaryOp.ADD, grad, g);
            return;
        }
        Tensor converted = g.to(grad.dtype);
        grad.backend().binary(BinaryOp.ADD, grad.operand(), converted.operand(), grad.operand());
        grad.storage.bumpVersion();
    }

    /** {@code dst = dst op other} for a half {@code dst}: computed in FLOAT32 and rounded once, as Forward does. */
    private static void halfBinary(BinaryOp op, Tensor dst, Tensor other) {
        Tensor a = Tensor.empty(dst.device(), DType.FLOAT32, dst.layout.shape());
        Tensor b = other.dtype == DType.FLOAT32 ? other : Dispatcher.decomposed(() -> other.to(DType.FLOAT32));
        try {
            dst.backend().copy(dst.operand(), a.operand());
            dst.backend().binary(op, a.operand(), broadcastTo(op.name().toLowerCase(java.util.Locale.ROOT), b, dst),
                    a.operand());
            dst.backend().copy(a.operand(), dst.operand());
        } finally {
            a.close();
            if (b != other) {
                b.close();
            }
        }
        dst.storage.bumpVersion();
    }

    /** A contiguous copy of {@code t} cut from the graph. */
    static Tensor cloneDetached(Tensor t) {
        Tensor copy = Tensor.empty(t.device(), t.dtype, t.layout.shape());
        t.backend().copy(t.operand(), copy.operand());
        return copy;
    }

    private static Operand broadcastTo(String op, Tensor src, Tensor dst) {
        if (!Shapes.canExpand(src.layout.shape(), dst.layout.shape())) {
            throw new ShapeException(op + ": a tensor of shape " + Shapes.str(src.layout.shape())
                    + " cannot be broadcast to the destination shape " + Shapes.str(dst.layout.shape()));
        }
        Layout expanded = Forward.expandLayout(src.layout, dst.layout.shape());
        return new Operand(src.storage.buffer(), expanded);
    }

    private static void requireSameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new DeviceException(op + ": expected tensors on one device, found " + a.device() + " and " + b.device());
        }
    }

    private static void checkWritable(String op, Tensor t) {
        t.checkOpen();
        dev.nabla.ops.Tracer tracer = Dispatcher.TRACER.get();
        if (tracer != null) {
            tracer.beforeInPlace(t, op);
        }
        if (GradMode.isEnabled() && t.requiresGrad) {
            throw new AutogradException(op + ": a tensor that requires grad cannot be modified in place while grad "
                    + "mode is on; wrap the update in GradMode.noGrad()");
        }
        int[] shape = t.layout.shape();
        for (int d = 0; d < shape.length; d++) {
            if (t.layout.strides()[d] == 0 && shape[d] > 1) {
                throw new ShapeException(op + ": the destination " + Shapes.str(shape)
                        + " is an expanded view whose elements share memory; call contiguous() first");
            }
        }
    }
}
