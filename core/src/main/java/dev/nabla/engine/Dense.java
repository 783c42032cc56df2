package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;
import dev.nabla.spi.FastPath;
import dev.nabla.spi.FusedActivation;

import java.lang.ref.Reference;

/**
 * The fully connected layer as one primitive ({@link Op.Linear}): {@code activation(x W^T + b)}. Checks in Java,
 * then one dispatch; the forward rule takes the backend's fused pass when it has one, else computes matmul, bias
 * add and activation from the ordinary ops. {@code nn.Functional.linear} builds on it.
 */
public final class Dense {
    private Dense() {
    }

    /** {@code x W^T + b} for x [..., K], weight [O, K], bias [O] or null: [..., O]. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return linear(x, weight, bias, FusedActivation.NONE);
    }

    /** {@code activation(x W^T + b)}; see {@link #linear(Tensor, Tensor, Tensor)}. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, FusedActivation activation) {
        check("linear", x, weight, bias);
        DType dtype = DType.promote(x.dtype(), weight.dtype()).toFloating();
        if (bias == null) {
            return Dispatcher.apply(new Op.Linear(false, activation), x.to(dtype), weight.to(dtype));
        }
        dtype = DType.promote(dtype, bias.dtype()).toFloating();
        return Dispatcher.apply(new Op.Linear(true, activation), x.to(dtype), weight.to(dtype), bias.to(dtype));
    }

    static void check(String op, Tensor x, Tensor weight, Tensor bias) {
        if (weight.rank() != 2 || x.rank() == 0 || x.size(-1) != weight.size(1)) {
            throw new ShapeException(op + ": input " + Shapes.str(x.shape()) + " does not end in in_features = "
                    + (weight.rank() == 2 ? weight.size(1) : "?") + " (weight " + Shapes.str(weight.shape())
                    + ", expected [out_features, in_features])");
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != weight.size(0))) {
            throw new ShapeException(op + ": bias must have shape [" + weight.size(0) + "] (one per output feature), "
                    + "found " + Shapes.str(bias.shape()));
        }
    }

    /** Forward rule of {@link Op.Linear}: the backend's one pass, else matmul, add and activation. */
    static Tensor forward(Tensor x, Tensor w, Tensor bias, FusedActivation activation, Tensor into) {
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = w.size(0);
        int k = w.size(1);
        int m = x.numel() / Math.max(k, 1);
        return Dispatcher.decomposed(() -> {
            Tensor xc = x.contiguous();
            Tensor wc = w.contiguous();
            Tensor bc = bias == null ? null : bias.contiguous();
            boolean fast = WindowDefaults.fast(x, FastPath.LINEAR);
            Tensor out = WindowDefaults.output(into, x, outShape, new Op.Linear(bias != null, activation), fast);
            // x and out seen as matrices [M, K] and [M, O] directly, without view tensors
            boolean done = fast && k > 0 && Tensors.backend(x).linear(matrix(xc, m, k), wc.operand(),
                    bc == null ? null : bc.operand(), activation, matrix(out, m, w.size(0)));
            // the backend read buffers of tensors made here: keep them (and their Cleaners) alive until it returned
            Reference.reachabilityFence(xc);
            Reference.reachabilityFence(wc);
            Reference.reachabilityFence(bc);
            if (done) {
                return out;
            }
            Tensor product = x.matmul(w.t());
            return WindowDefaults.composed(activate(bias == null ? product : product.add(bias), activation), out, into);
        });
    }

    /**
     * Forward rule of {@link Op.QuantizedLinear}: the backend's int8 pass, else the same function in float, the
     * quantized input ({@code clamp(rint(x / s), -127, 127) * s}) times the float weights.
     */
    static Tensor quantized(Tensor x, Tensor wq, Tensor ws, Tensor wf, Tensor bias, double inputScale,
                            FusedActivation activation, Tensor into) {
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = wq.size(0);
        int k = wq.size(1);
        int m = x.numel() / Math.max(k, 1);
        return Dispatcher.decomposed(() -> {
            Tensor xc = x.contiguous();
            Tensor[] weights = {wq.contiguous(), ws.contiguous(), wf.contiguous(), bias == null ? null : bias.contiguous()};
            boolean fast = WindowDefaults.fast(x, FastPath.QUANTIZED_LINEAR);
            Tensor out = WindowDefaults.output(into, x, outShape,
                    new Op.QuantizedLinear(bias != null, activation, inputScale), fast);
            boolean done = fast && k > 0 && Tensors.backend(x).quantizedLinear(matrix(xc, m, k), weights[0].operand(),
                    weights[1].operand(), weights[2].operand(), bias == null ? null : weights[3].operand(),
                    inputScale, activation, matrix(out, m, wq.size(0)));
            Reference.reachabilityFence(xc);
            Reference.reachabilityFence(weights);
            if (done) {
                return out;
            }
            float scale = (float) inputScale;
            Tensor q = x.div(scale).round().clamp(-127, 127).mul(scale);
            if (into == null && out != null) {
                out.close();
            }
            return forward(q, wf, bias, activation, into);
        });
    }

    /** A contiguous tensor's buffer seen as a [rows, cols] matrix. */
    private static dev.nabla.spi.Operand matrix(Tensor t, int rows, int cols) {
        return new dev.nabla.spi.Operand(Tensors.storage(t).buffer(),
                new dev.nabla.spi.Layout(new int[]{rows, cols}, new int[]{cols, 1}, t.layout().offset()));
    }

    /** {@code t} with {@code activation} applied (itself for NONE). */
    static Tensor activate(Tensor t, FusedActivation activation) {
        return switch (activation) {
            case NONE -> t;
            case RELU -> t.relu();
        };
    }
}
