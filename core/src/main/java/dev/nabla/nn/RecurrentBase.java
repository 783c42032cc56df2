package dev.nabla.nn;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@link LSTM} and {@link GRU} share, as {@code torch.nn.RNNBase}: the argument checks, the
 * parameters in torch's names and order ({@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0},
 * {@code bias_hh_l0}, then the same with {@code _reverse} when bidirectional, then layer 1, ...), all
 * U(-1/sqrt(hidden), 1/sqrt(hidden)), and the loop over layers, directions and steps. A subclass gives
 * the number of gates and one cell step.
 */
abstract class RecurrentBase extends Module {
    private final String name;
    private final List<String> stateNames;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean batchFirst;
    private final double dropout;
    private final boolean bidirectional;

    RecurrentBase(String name, int gates, List<String> stateNames, int inputSize, int hiddenSize, int numLayers,
                  boolean bias, boolean batchFirst, double dropout, boolean bidirectional) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(name + ": inputSize and hiddenSize must be positive, found "
                    + inputSize + " and " + hiddenSize);
        }
        if (numLayers < 1) {
            throw new IllegalArgumentException(name + ": numLayers must be at least 1, found " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException(name + ": dropout must be in [0, 1], found " + dropout);
        }
        this.name = name;
        this.stateNames = stateNames;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int layer = 0; layer < numLayers; layer++) {
            int in = layer == 0 ? inputSize : hiddenSize * directions();
            for (int dir = 0; dir < directions(); dir++) {
                String suffix = suffix(layer, dir);
                Init.uniform(registerParameter("weight_ih" + suffix, Tensor.zeros(gates * hiddenSize, in)), -bound, bound);
                Init.uniform(registerParameter("weight_hh" + suffix, Tensor.zeros(gates * hiddenSize, hiddenSize)),
                        -bound, bound);
                registerParameter("bias_ih" + suffix, bias ? Init.uniform(Tensor.zeros(gates * hiddenSize), -bound, bound) : null);
                registerParameter("bias_hh" + suffix, bias ? Init.uniform(Tensor.zeros(gates * hiddenSize), -bound, bound) : null);
            }
        }
    }

    private static String suffix(int layer, int dir) {
        return "_l" + layer + (dir == 1 ? "_reverse" : "");
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    public double dropout() {
        return dropout;
    }

    public boolean bidirectional() {
        return bidirectional;
    }

    /** 2 when bidirectional, else 1: the states hold {@code numLayers * directions()} rows. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /**
     * One step of one direction of one layer: the new states (hidden first, then e.g. the cell) from
     * the input projection of this step ({@code x W_ih^T + b_ih}, [batch, gates * hidden]) and the states.
     */
    abstract Tensor[] step(Tensor projected, Tensor[] state, Tensor weightHh, Tensor biasHh);

    /**
     * Runs every layer over {@code input} from the given initial states (null: zeros), returning the
     * output in the caller's layout followed by the final states, each [numLayers * directions, batch, hidden]
     * (without the batch axis for unbatched input).
     */
    final Tensor[] run(Tensor input, Tensor... initial) {
        boolean unbatched = input.rank() == 2;
        if ((input.rank() != 2 && input.rank() != 3) || input.size(-1) != inputSize) {
            throw new ShapeException(name + ": expected input " + (batchFirst ? "[batch, seq, " : "[seq, batch, ")
                    + inputSize + "] or unbatched [seq, " + inputSize + "], found " + Shapes.str(input.shape()));
        }
        Tensor x = unbatched ? input.unsqueeze(1) : batchFirst ? input.transpose(0, 1) : input;
        int steps = x.size(0), batch = x.size(1);
        if (steps == 0) {
            throw new ShapeException(name + ": expected a non-empty sequence, found input " + Shapes.str(input.shape()));
        }
        int rows = numLayers * directions();
        int[] stateShape = unbatched ? new int[]{rows, hiddenSize} : new int[]{rows, batch, hiddenSize};
        Tensor[] states = new Tensor[stateNames.size()];
        for (int s = 0; s < states.length; s++) {
            Tensor given = initial[s];
            if (given != null && !Arrays.equals(given.shape(), stateShape)) {
                throw new ShapeException(name + ": expected " + stateNames.get(s) + " " + Shapes.str(stateShape)
                        + ", found " + Shapes.str(given.shape()));
            }
            states[s] = given == null || !unbatched ? given : given.unsqueeze(1);
        }

        List<List<Tensor>> finals = new ArrayList<>();
        for (int s = 0; s < states.length; s++) {
            finals.add(new ArrayList<>(rows));
        }
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            if (layer > 0) {
                layerInput = Functional.dropout(layerInput, dropout, isTraining());
            }
            List<Tensor> directionOutputs = new ArrayList<>(2);
            for (int dir = 0; dir < directions(); dir++) {
                String suffix = suffix(layer, dir);
                Tensor[] state = new Tensor[states.length];
                for (int s = 0; s < state.length; s++) {
                    state[s] = states[s] == null ? Tensor.full(x.device(), x.dtype(), 0, batch, hiddenSize)
                            : states[s].select(0, layer * directions() + dir);
                }
                // The input projection of all steps at once; only the recurrent part runs step by step.
                Tensor projected = Functional.linear(layerInput, parameter("weight_ih" + suffix), parameter("bias_ih" + suffix));
                Tensor weightHh = parameter("weight_hh" + suffix);
                Tensor biasHh = parameter("bias_hh" + suffix);
                Tensor[] outputs = new Tensor[steps];
                for (int i = 0; i < steps; i++) {
                    int t = dir == 0 ? i : steps - 1 - i;
                    state = step(projected.select(0, t), state, weightHh, biasHh);
                    outputs[t] = state[0];
                }
                directionOutputs.add(Tensor.stack(Arrays.asList(outputs), 0));
                for (int s = 0; s < state.length; s++) {
                    finals.get(s).add(state[s]);
                }
            }
            layerInput = directionOutputs.size() == 1 ? directionOutputs.get(0) : Tensor.cat(directionOutputs, 2);
        }

        Tensor[] result = new Tensor[1 + states.length];
        result[0] = unbatched ? layerInput.squeeze(1) : batchFirst ? layerInput.transpose(0, 1) : layerInput;
        for (int s = 0; s < states.length; s++) {
            Tensor stacked = Tensor.stack(finals.get(s), 0);
            result[1 + s] = unbatched ? stacked.squeeze(1) : stacked;
        }
        return result;
    }

    /** As PyTorch prints it, options only when not default: {@code 10, 20, num_layers=2, dropout=0.5, bidirectional=true}. */
    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (numLayers != 1 ? ", num_layers=" + numLayers : "")
                + (bias ? "" : ", bias=false") + (batchFirst ? ", batch_first=true" : "")
                + (dropout != 0 ? ", dropout=" + dropout : "") + (bidirectional ? ", bidirectional=true" : "");
    }
}
