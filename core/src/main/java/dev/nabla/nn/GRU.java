package dev.nabla.nn;

import dev.nabla.Tensor;

import java.util.List;

/**
 * A multi-layer GRU as {@code torch.nn.GRU}: gate order r, z, n in the weight rows,
 * <pre>
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * </pre>
 * Parameters, initialization, {@code batchFirst}, unbatched input, {@code dropout} and
 * {@code bidirectional} are as in {@link LSTM}, with {@code 3 * hidden} gate rows.
 */
public class GRU extends RecurrentBase {

    /**
     * The output sequence ([seq, batch, directions * hidden], batch first if so constructed) and the
     * final hidden state [numLayers * directions, batch, hidden]. Unbatched input gives outputs without
     * the batch axis.
     */
    public record Output(Tensor output, Tensor hidden) {
    }

    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false);
    }

    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, 0, false);
    }

    /** PyTorch's arguments in PyTorch's order. */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
               boolean bidirectional) {
        super("GRU", 3, List.of("h0"), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /** The output sequence, starting from a zero state. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null).output();
    }

    /**
     * Runs the sequence from state {@code h0} ([numLayers * directions, batch, hidden], or
     * [numLayers * directions, hidden] for unbatched input; null means zeros).
     */
    public Output forward(Tensor input, Tensor h0) {
        Tensor[] r = run(input, h0);
        return new Output(r[0], r[1]);
    }

    @Override
    Tensor[] step(Tensor projected, Tensor[] state, Tensor weightHh, Tensor biasHh) {
        Tensor h = state[0];
        List<Tensor> gx = projected.chunk(3, 1);
        List<Tensor> gh = Functional.linear(h, weightHh, biasHh).chunk(3, 1);
        Tensor r = gx.get(0).add(gh.get(0)).sigmoid();
        Tensor z = gx.get(1).add(gh.get(1)).sigmoid();
        Tensor n = gx.get(2).add(r.mul(gh.get(2))).tanh();
        // (1 - z) * n + z * h
        return new Tensor[]{n.add(z.mul(h.sub(n)))};
    }
}
