package dev.nabla.nn;

import dev.nabla.Tensor;

import java.util.List;

/**
 * A multi-layer LSTM as {@code torch.nn.LSTM}: gate order i, f, g, o in the weight rows; parameters
 * {@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, ... (and
 * {@code ..._reverse} when bidirectional), all initialized U(-1/sqrt(hidden), 1/sqrt(hidden)). Input is
 * [seq, batch, features], or [batch, seq, features] with {@code batchFirst}, or unbatched [seq, features].
 *
 * <p>{@code dropout} zeroes the outputs of every layer but the last in training mode (with one layer it
 * does nothing; PyTorch warns there, Nabla allows it). A bidirectional LSTM concatenates the forward and
 * reverse outputs on the feature axis (layers after the first take {@code 2 * hidden} features) and
 * orders its states as PyTorch does: layer 0 forward, layer 0 reverse, layer 1 forward, ...
 */
public class LSTM extends RecurrentBase {

    /**
     * The output sequence ([seq, batch, directions * hidden], batch first if so constructed) and the
     * final hidden and cell states, each [numLayers * directions, batch, hidden]. Unbatched input gives
     * outputs without the batch axis.
     */
    public record Output(Tensor output, Tensor hidden, Tensor cell) {
    }

    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, 0, false);
    }

    /** PyTorch's arguments in PyTorch's order ({@code proj_size} aside). */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                boolean bidirectional) {
        super("LSTM", 4, List.of("h0", "c0"), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    /** The output sequence, starting from zero states. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /**
     * Runs the sequence from states {@code h0}, {@code c0} ([numLayers * directions, batch, hidden], or
     * [numLayers * directions, hidden] for unbatched input; null means zeros).
     */
    public Output forward(Tensor input, Tensor h0, Tensor c0) {
        Tensor[] r = run(input, h0, c0);
        return new Output(r[0], r[1], r[2]);
    }

    @Override
    Tensor[] step(Tensor projected, Tensor[] state, Tensor weightHh, Tensor biasHh) {
        List<Tensor> g = projected.add(Functional.linear(state[0], weightHh, biasHh)).chunk(4, 1);
        Tensor i = g.get(0).sigmoid();
        Tensor f = g.get(1).sigmoid();
        Tensor cellCandidate = g.get(2).tanh();
        Tensor o = g.get(3).sigmoid();
        Tensor c = f.mul(state[1]).add(i.mul(cellCandidate));
        return new Tensor[]{o.mul(c.tanh()), c};
    }
}
