package dev.nabla.engine;

import dev.nabla.AutogradException;
import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.DeviceException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.autograd.GradMode;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

/**
 * Writes into existing tensors (parameter updates, gradient accumulation). These are not recorded
 * by autograd; they bump the storage version so that a stale saved tensor is detected.
 */
public final class InPlace {
    private InPlace() {
    }

    public static Tensor copyFrom(Tensor dst, Tensor src) {
        checkWritable("copyFrom", dst);
        Tensors.checkOpen(src);
        requireSameDevice("copyFrom", dst, src);
        Tensors.backend(dst).copy(broadcastTo("copyFrom", src, dst), dst.operand());
        Tensors.storage(dst).bumpVersion();
        return dst;
    }

    public static Tensor fill(Tensor dst, double value) {
        checkWritable("fill", dst);
        Tensors.backend(dst).fill(dst.operand(), value);
        Tensors.storage(dst).bumpVersion();
        return dst;
    }

    public static Tensor binary(BinaryOp op, Tensor dst, Tensor other) {
        checkWritable(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", dst);
        requireSameDevice(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace", dst, other);
        if (!dst.dtype().isFloatingPoint() && other.dtype().isFloatingPoint()) {
            throw new DTypeException(op.name().toLowerCase(java.util.Locale.ROOT) + "InPlace: cannot write a " + other.dtype()
                    + " result into a " + dst.dtype() + " tensor");
        }
        if (dst.dtype().isHalf()) {
            halfBinary(op, dst, other);
            return dst;
        }
        Tensor converted = other.to(dst.dtype());
        Double number = Tensors.pendingConstant(converted);
        if (number != null) { // x.mulInPlace(2): the number as an attribute
            Tensors.backend(dst).binaryScalar(op, dst.operand(), number, false, dst.operand());
        } else {
            Tensors.backend(dst).binary(op, dst.operand(),
                    broadcastTo(op.name().toLowerCase(java.util.Locale.ROOT), converted, dst), dst.operand());
        }
        Tensors.storage(dst).bumpVersion();
        return dst;
    }

    /** {@code grad += g} for gradient accumulation (grad is owned, contiguous, never shared). */
    static void accumulate(Tensor grad, Tensor g) {
        if (grad.dtype().isHalf()) {
            halfBinary(BinaryOp.ADD, grad, g);
            return;
        }
        Tensor converted = g.to(grad.dtype());
        Tensors.backend(grad).binary(BinaryOp.ADD, grad.operand(), converted.operand(), grad.operand());
        Tensors.storage(grad).bumpVersion();
    }

    /** {@code dst = dst op other} for a half {@code dst}: computed in FLOAT32 and rounded once, as Forward does. */
    private static void halfBinary(BinaryOp op, Tensor dst, Tensor other) {
        Tensor a = Tensors.empty(dst.device(), DType.FLOAT32, dst.layout().shape());
        Tensor b = other.dtype() == DType.FLOAT32 ? other : Dispatcher.decomposed(() -> other.to(DType.FLOAT32));
        try {
            Tensors.backend(dst).copy(dst.operand(), a.operand());
            Tensors.backend(dst).binary(op, a.operand(), broadcastTo(op.name().toLowerCase(java.util.Locale.ROOT), b, dst),
                    a.operand());
            Tensors.backend(dst).copy(a.operand(), dst.operand());
        } finally {
            a.close();
            if (b != other) {
                b.close();
            }
        }
        Tensors.storage(dst).bumpVersion();
    }

    /** A contiguous copy of {@code t} cut from the graph. */
    static Tensor cloneDetached(Tensor t) {
        Tensor copy = Tensors.empty(t.device(), t.dtype(), t.layout().shape());
        Tensors.backend(t).copy(t.operand(), copy.operand());
        return copy;
    }

    private static Operand broadcastTo(String op, Tensor src, Tensor dst) {
        if (!Shapes.canExpand(src.layout().shape(), dst.layout().shape())) {
            throw new ShapeException(op + ": a tensor of shape " + Shapes.str(src.layout().shape())
                    + " cannot be broadcast to the destination shape " + Shapes.str(dst.layout().shape()));
        }
        Layout expanded = Forward.expandLayout(src.layout(), dst.layout().shape());
        return new Operand(Tensors.storage(src).buffer(), expanded);
    }

    private static void requireSameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new DeviceException(op + ": expected tensors on one device, found " + a.device() + " and " + b.device());
        }
    }

    private static void checkWritable(String op, Tensor t) {
        Tensors.checkOpen(t);
        dev.nabla.ops.Tracer tracer = Dispatcher.TRACER.get();
        if (tracer != null) {
            tracer.beforeInPlace(t, op);
        }
        if (GradMode.isEnabled() && t.requiresGrad()) {
            throw new AutogradException(op + ": a tensor that requires grad cannot be modified in place while grad "
                    + "mode is on; wrap the update in GradMode.noGrad()");
        }
        int[] shape = t.layout().shape();
        for (int d = 0; d < shape.length; d++) {
            if (t.layout().strides()[d] == 0 && shape[d] > 1) {
                throw new ShapeException(op + ": the destination " + Shapes.str(shape)
                        + " is an expanded view whose elements share memory; call contiguous() first");
            }
        }
    }
}
