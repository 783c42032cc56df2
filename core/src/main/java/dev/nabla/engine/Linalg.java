package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;

/** PyTorch's {@code matmul} for every rank combination, built on the batched MatMul primitive. */
public final class Linalg {
    private Linalg() {
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        int[] as = a.layout().shape();
        int[] bs = b.layout().shape();
        if (as.length == 0 || bs.length == 0) {
            throw new ShapeException("matmul: both arguments need at least one dimension, found " + Shapes.str(as)
                    + " and " + Shapes.str(bs));
        }
        int k = as[as.length - 1];
        int kb = bs.length == 1 ? bs[0] : bs[bs.length - 2];
        if (k != kb) {
            throw new ShapeException("matmul: cannot multiply " + Shapes.str(as) + " by " + Shapes.str(bs)
                    + ": inner dimensions " + k + " and " + kb + " differ");
        }
        if (a.dtype() == DType.BOOL || b.dtype() == DType.BOOL) {
            throw new DTypeException("matmul: not defined for BOOL tensors, found " + a.dtype() + " and " + b.dtype());
        }
        DType dtype = DType.promote(a.dtype(), b.dtype());
        Tensor left = as.length == 1 ? a.to(dtype).unsqueeze(0) : a.to(dtype);
        Tensor right = bs.length == 1 ? b.to(dtype).unsqueeze(1) : b.to(dtype);
        Tensor out = Dispatcher.apply(new Op.MatMul(), left, right);
        if (bs.length == 1) {
            out = out.squeeze(-1);
        }
        if (as.length == 1) {
            out = out.squeeze(-2 + (bs.length == 1 ? 1 : 0));
        }
        return out;
    }
}
