package dev.nabla.nn;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

/**
 * Multi-head attention as {@code torch.nn.MultiheadAttention}: packed input projection
 * ({@code in_proj_weight} [3E, E]), {@code numHeads} heads of size E / numHeads, output projection.
 * Inputs are [batch, seq, E] when {@code batchFirst}, else [seq, batch, E].
 */
public class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final double dropout;
    private final boolean batchFirst;
    private final Linear outProj;

    /** No dropout, with biases, inputs [seq, batch, E] (PyTorch's defaults). */
    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0.0, true, false);
    }

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        if (numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim
                    + " must be divisible by numHeads " + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        Init.xavierUniform(registerParameter("in_proj_weight", Tensor.zeros(3 * embedDim, embedDim)), 1.0);
        registerParameter("in_proj_bias", bias ? Tensor.zeros(3 * embedDim) : null);
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias));
        if (bias) {
            Init.zeros(outProj.bias());
        }
    }

    /** Self-attention of {@code x} without a mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, false);
    }

    /**
     * Attention of {@code query} over {@code key}/{@code value}. {@code attnMask} is [Lq, Lk] (or
     * [batch*heads, Lq, Lk]): BOOL where {@code true} means "may not attend" (PyTorch's convention for
     * this module) or additive floats. {@code causal} additionally hides later positions.
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, boolean causal) {
        Tensor q = batchFirst ? query : query.transpose(0, 1);
        Tensor k = batchFirst ? key : key.transpose(0, 1);
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        if (q.rank() != 3 || q.size(2) != embedDim) {
            throw new ShapeException("MultiheadAttention: expected query [batch, seq, " + embedDim + "], found "
                    + Shapes.str(q.shape()));
        }
        int batch = q.size(0), lq = q.size(1), lk = k.size(1);
        Tensor w = parameter("in_proj_weight");
        Tensor b = parameter("in_proj_bias");
        var ws = w.chunk(3, 0);
        var bs = b == null ? null : b.chunk(3, 0);
        Tensor qp = heads(Functional.linear(q, ws.get(0), bs == null ? null : bs.get(0)), batch, lq);
        Tensor kp = heads(Functional.linear(k, ws.get(1), bs == null ? null : bs.get(1)), batch, lk);
        Tensor vp = heads(Functional.linear(v, ws.get(2), bs == null ? null : bs.get(2)), batch, lk);
        Tensor mask = null;
        if (attnMask != null) {
            Tensor m = attnMask.rank() == 3 ? attnMask.reshape(batch, numHeads, lq, lk) : attnMask;
            mask = m.dtype() == DType.BOOL ? m.logicalNot() : m;
        }
        Tensor attended = Functional.scaledDotProductAttention(qp, kp, vp, mask, causal, dropout, isTraining());
        Tensor merged = attended.transpose(1, 2).reshape(batch, lq, embedDim);
        Tensor out = outProj.call(merged);
        return batchFirst ? out : out.transpose(0, 1);
    }

    /** [batch, seq, E] to [batch, heads, seq, E / heads]. */
    private Tensor heads(Tensor x, int batch, int length) {
        return x.reshape(batch, length, numHeads, embedDim / numHeads).transpose(1, 2);
    }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", numHeads=" + numHeads + ", batchFirst=" + batchFirst;
    }
}
