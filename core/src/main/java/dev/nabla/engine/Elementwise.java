package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.UnaryOp;

/** Dtype promotion for elementwise ops, and the composites built from them. */
public final class Elementwise {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private Elementwise() {
    }

    /** {@code t} converted to floating point if it is not already. */
    public static Tensor floating(Tensor t) {
        return t.to(t.dtype().toFloating());
    }

    public static Tensor unary(UnaryOp kind, Tensor x) {
        if (x.dtype() == DType.BOOL && kind == UnaryOp.NEG) {
            throw new DTypeException("neg: not defined for BOOL tensors; use logicalNot()");
        }
        if (!x.dtype().isFloatingPoint()) {
            switch (kind) {
                case FLOOR, CEIL, ROUND -> {
                    return x;
                }
                case NEG, ABS, SIGN, RELU -> {
                    return Dispatcher.apply(new Op.Unary(kind), x.to(x.dtype() == DType.BOOL ? DType.INT64 : x.dtype()));
                }
                default -> {
                    return Dispatcher.apply(new Op.Unary(kind), floating(x));
                }
            }
        }
        return Dispatcher.apply(new Op.Unary(kind), x);
    }

    /**
     * A 0-d tensor for a Java number combined with {@code t}: it takes {@code t}'s dtype, except that an
     * integer or boolean tensor meets a fractional number as FLOAT32 (PyTorch's rule for Python scalars). It is a
     * {@link Tensor#constant}: a binary op passes its value to the backend as an attribute.
     */
    public static Tensor scalarFor(Tensor t, double value) {
        DType dtype;
        if (t.dtype().isFloatingPoint()) {
            dtype = t.dtype();
        } else if (value == Math.rint(value) && !Double.isInfinite(value)) {
            dtype = t.dtype() == DType.BOOL ? DType.INT64 : t.dtype();
        } else {
            dtype = DType.defaultFloat();
        }
        return Tensors.constant(t.device(), dtype, value);
    }

    /** Result dtype of combining {@code a} and {@code b}; 0-d tensors do not widen a dimensioned tensor of their category. */
    static DType resultType(Tensor a, Tensor b) {
        boolean aScalar = a.rank() == 0;
        boolean bScalar = b.rank() == 0;
        if (aScalar != bScalar) {
            Tensor dimensioned = aScalar ? b : a;
            Tensor scalar = aScalar ? a : b;
            return category(scalar.dtype()) > category(dimensioned.dtype()) ? scalar.dtype() : dimensioned.dtype();
        }
        return DType.promote(a.dtype(), b.dtype());
    }

    private static int category(DType t) {
        return t == DType.BOOL ? 0 : t.isIntegral() ? 1 : 2;
    }

    public static Tensor binary(BinaryOp kind, Tensor a, Tensor b) {
        DType dtype = resultType(a, b);
        if (kind.isLogical()) {
            dtype = DType.BOOL;
        } else if (kind == BinaryOp.DIV || kind == BinaryOp.POW) {
            dtype = dtype.toFloating();
        } else if (dtype == DType.BOOL && !(kind == BinaryOp.EQ || kind == BinaryOp.NE)) {
            dtype = DType.INT64;
        }
        return Dispatcher.apply(new Op.Binary(kind), a.to(dtype), b.to(dtype));
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        DType dtype = resultType(a, b);
        return Dispatcher.apply(new Op.Where(), condition.to(DType.BOOL), a.to(dtype), b.to(dtype));
    }

    /** {@code x^n} for an integer tensor by repeated squaring, so the result stays integer as in PyTorch. */
    public static Tensor integerPower(Tensor x, int n) {
        Tensor base = x.dtype() == DType.BOOL ? x.to(DType.INT64) : x;
        Tensor result = Tensor.onesLike(base);
        for (int e = n; e > 0; e >>= 1) {
            if ((e & 1) != 0) {
                result = result.mul(base);
            }
            if (e > 1) {
                base = base.mul(base);
            }
        }
        return result;
    }

    public static Tensor gelu(Tensor input, boolean tanhApproximation) {
        Tensor x = floating(input);
        if (tanhApproximation) {
            Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
            return x.mul(0.5).mul(inner.tanh().add(1));
        }
        return x.mul(0.5).mul(x.mul(1 / Math.sqrt(2)).erf().add(1));
    }

    /**
     * {@code log(1 + exp(beta x)) / beta}, linear above the threshold, without overflow. Written as
     * two branches on clamped inputs so that both stay finite and the gradient is exact everywhere
     * (including 0, where it is 1/2).
     */
    public static Tensor softplus(Tensor input, double beta, double threshold) {
        Tensor x = floating(input);
        Tensor bx = x.mul(beta);
        Tensor positive = bx.clampMin(0);
        Tensor negative = bx.clampMax(0);
        Tensor forPositive = positive.add(positive.neg().exp().log1p());  // z + log(1 + e^-z), z > 0
        Tensor forNegative = negative.exp().log1p();                      // log(1 + e^z), z <= 0
        Tensor smooth = where(bx.gt(0), forPositive, forNegative).div(beta);
        return where(bx.gt(threshold), x, smooth);
    }
}
