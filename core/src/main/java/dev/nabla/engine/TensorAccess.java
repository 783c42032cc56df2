package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Node;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.spi.Backend;
import dev.nabla.spi.Layout;

/**
 * The engine's way into {@link Tensor} and {@link Node} internals (their memory, the autograd fields), which the
 * public API keeps to itself. Java has no friend packages: {@code Tensor} implements this class and installs the
 * one instance when it is initialized; engine code calls it through {@link Tensors}. Not API.
 */
public abstract class TensorAccess {
    private static volatile TensorAccess instance;

    protected TensorAccess() {
    }

    /** Called once, by {@code Tensor}'s static initializer. */
    public static void install(TensorAccess access) {
        if (instance != null) {
            throw new IllegalStateException("tensor access is already installed");
        }
        instance = access;
    }

    static TensorAccess get() {
        TensorAccess access = instance;
        if (access == null) {
            try { // engine code may run before anything touched Tensor
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            access = instance;
            if (access == null) {
                throw new IllegalStateException("Tensor did not install its engine access before the engine ran");
            }
        }
        return access;
    }

    protected abstract Tensor wrap(Storage storage, Layout layout);

    protected abstract Tensor view(Tensor base, Layout layout);

    protected abstract Tensor empty(Device device, DType dtype, int... shape);

    protected abstract Tensor constant(Device device, DType dtype, double value);

    protected abstract Storage storage(Tensor t);

    protected abstract Backend backend(Tensor t);

    protected abstract void checkOpen(Tensor t);

    protected abstract Double pendingConstant(Tensor t);

    protected abstract void setRequiresGrad(Tensor t, boolean value);

    protected abstract void setGradFn(Tensor t, Node node);

    protected abstract boolean retainsGrad(Tensor t);

    /** Sets {@code t}'s gradient field as autograd accumulates it, without {@code setGrad}'s user checks. */
    protected abstract void setGradField(Tensor t, Tensor grad);

    protected abstract Node newNode(Op op, Tensor[] inputs, Tensor output);

    protected abstract int inputCount(Node node);

    protected abstract boolean isReleased(Node node);

    protected abstract void checkVersions(Node node);

    protected abstract void release(Node node);
}
