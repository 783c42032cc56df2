package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * Self-attention and feed-forward blocks with residual connections, as
 * {@code torch.nn.TransformerEncoderLayer} (post-norm by default, pre-norm with {@code normFirst}).
 */
public class TransformerEncoderLayer extends Module {
    private final boolean normFirst;
    private final boolean causal;
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Activation activation;

    /** PyTorch's defaults: feed-forward 2048, dropout 0.1, ReLU, inputs [seq, batch, dModel], post-norm. */
    public TransformerEncoderLayer(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, Activation.relu(), false, false, false);
    }

    /**
     * @param causal when true every position attends only to itself and earlier positions
     */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, Activation activation,
                                   boolean batchFirst, boolean normFirst, boolean causal) {
        this.normFirst = normFirst;
        this.causal = causal;
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout));
        this.activation = registerModule("activation", activation);
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null);
    }

    /** {@code mask}: optional [L, L] attention mask in {@link MultiheadAttention}'s convention. */
    public Tensor forward(Tensor src, Tensor mask) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.call(x), mask));
            x = x.add(feedForward(norm2.call(x)));
        } else {
            x = norm1.call(x.add(selfAttention(x, mask)));
            x = norm2.call(x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, Tensor mask) {
        return dropout1.call(selfAttn.forward(x, x, x, mask, causal));
    }

    private Tensor feedForward(Tensor x) {
        return dropout2.call(linear2.call(dropout.call(activation.call(linear1.call(x)))));
    }

    @Override
    protected String extraRepr() {
        return (normFirst ? "normFirst" : "postNorm") + (causal ? ", causal" : "");
    }
}
