package dev.nabla.nn;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * A multi-layer LSTM as {@code torch.nn.LSTM} (gate order i, f, g, o; parameters
 * {@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, ...; all
 * initialized U(-1/sqrt(hidden), 1/sqrt(hidden))). Input is [seq, batch, features], or
 * [batch, seq, features] with {@code batchFirst}.
 */
public class LSTM extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean batchFirst;

    /** The output sequence and the final hidden and cell states, each [numLayers, batch, hidden]. */
    public record Output(Tensor output, Tensor hidden, Tensor cell) {
    }

    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false);
    }

    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.batchFirst = batchFirst;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int layer = 0; layer < numLayers; layer++) {
            int in = layer == 0 ? inputSize : hiddenSize;
            Init.uniform(registerParameter("weight_ih_l" + layer, Tensor.zeros(4 * hiddenSize, in)), -bound, bound);
            Init.uniform(registerParameter("weight_hh_l" + layer, Tensor.zeros(4 * hiddenSize, hiddenSize)), -bound, bound);
            if (bias) {
                Init.uniform(registerParameter("bias_ih_l" + layer, Tensor.zeros(4 * hiddenSize)), -bound, bound);
                Init.uniform(registerParameter("bias_hh_l" + layer, Tensor.zeros(4 * hiddenSize)), -bound, bound);
            } else {
                registerParameter("bias_ih_l" + layer, null);
                registerParameter("bias_hh_l" + layer, null);
            }
        }
    }

    /** The output sequence, starting from zero states. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).output();
    }

    /** Runs the sequence from states {@code h0}, {@code c0} ([numLayers, batch, hidden]; null means zeros). */
    public Output forward(Tensor input, Tensor h0, Tensor c0) {
        Tensor x = batchFirst ? input.transpose(0, 1) : input;
        if (x.rank() != 3 || x.size(2) != inputSize) {
            throw new ShapeException("LSTM: expected input " + (batchFirst ? "[batch, seq, " : "[seq, batch, ")
                    + inputSize + "], found " + Shapes.str(input.shape()));
        }
        int steps = x.size(0), batch = x.size(1);
        List<Tensor> finalH = new ArrayList<>();
        List<Tensor> finalC = new ArrayList<>();
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            Tensor h = h0 == null ? Tensor.full(x.device(), x.dtype(), 0, batch, hiddenSize) : h0.select(0, layer);
            Tensor c = c0 == null ? Tensor.full(x.device(), x.dtype(), 0, batch, hiddenSize) : c0.select(0, layer);
            Tensor wih = parameter("weight_ih_l" + layer);
            Tensor whh = parameter("weight_hh_l" + layer);
            Tensor bih = parameter("bias_ih_l" + layer);
            Tensor bhh = parameter("bias_hh_l" + layer);
            // The input projection of all steps at once; only the recurrent part runs step by step.
            Tensor projected = Functional.linear(layerInput, wih, bih);
            List<Tensor> outputs = new ArrayList<>(steps);
            for (int t = 0; t < steps; t++) {
                Tensor gates = projected.select(0, t).add(Functional.linear(h, whh, bhh));
                List<Tensor> g = gates.chunk(4, 1);
                Tensor i = g.get(0).sigmoid();
                Tensor f = g.get(1).sigmoid();
                Tensor cellCandidate = g.get(2).tanh();
                Tensor o = g.get(3).sigmoid();
                c = f.mul(c).add(i.mul(cellCandidate));
                h = o.mul(c.tanh());
                outputs.add(h);
            }
            layerInput = Tensor.stack(outputs, 0);
            finalH.add(h);
            finalC.add(c);
        }
        Tensor out = batchFirst ? layerInput.transpose(0, 1) : layerInput;
        return new Output(out, Tensor.stack(finalH, 0), Tensor.stack(finalC, 0));
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + ", numLayers=" + numLayers + (batchFirst ? ", batchFirst" : "");
    }
}
