package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.Device;
import dev.nabla.Node;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.spi.Backend;
import dev.nabla.spi.Layout;

/** Static shortcuts to {@link TensorAccess}, for engine code. Not API. */
public final class Tensors {
    private static final TensorAccess ACCESS = TensorAccess.get();

    private Tensors() {
    }

    /** A tensor over {@code storage} (whose reference it takes over) seen through {@code layout}. */
    public static Tensor wrap(Storage storage, Layout layout) {
        return ACCESS.wrap(storage, layout);
    }

    /** A view of {@code base}'s storage through another layout (shares memory). */
    public static Tensor view(Tensor base, Layout layout) {
        return ACCESS.view(base, layout);
    }

    /** A tensor of {@code dtype} and {@code shape} on {@code device}, contents unspecified. */
    public static Tensor empty(Device device, DType dtype, int... shape) {
        return ACCESS.empty(device, dtype, shape);
    }

    /** A 0-d constant that makes device memory only when read as memory (see {@link Storage#constant}). */
    public static Tensor constant(Device device, DType dtype, double value) {
        return ACCESS.constant(device, dtype, value);
    }

    public static Storage storage(Tensor t) {
        return ACCESS.storage(t);
    }

    public static Backend backend(Tensor t) {
        return ACCESS.backend(t);
    }

    public static void checkOpen(Tensor t) {
        ACCESS.checkOpen(t);
    }

    /** The value of a constant whose memory was never made, else null. */
    public static Double pendingConstant(Tensor t) {
        return ACCESS.pendingConstant(t);
    }

    public static void setRequiresGrad(Tensor t, boolean value) {
        ACCESS.setRequiresGrad(t, value);
    }

    public static void setGradFn(Tensor t, Node node) {
        ACCESS.setGradFn(t, node);
    }

    public static boolean retainsGrad(Tensor t) {
        return ACCESS.retainsGrad(t);
    }

    public static void setGradField(Tensor t, Tensor grad) {
        ACCESS.setGradField(t, grad);
    }

    public static Node newNode(Op op, Tensor[] inputs, Tensor output) {
        return ACCESS.newNode(op, inputs, output);
    }

    public static int inputCount(Node node) {
        return ACCESS.inputCount(node);
    }

    public static boolean isReleased(Node node) {
        return ACCESS.isReleased(node);
    }

    public static void checkVersions(Node node) {
        ACCESS.checkVersions(node);
    }

    public static void release(Node node) {
        ACCESS.release(node);
    }
}
