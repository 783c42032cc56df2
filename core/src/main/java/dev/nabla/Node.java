package dev.nabla;

import dev.nabla.ops.Op;

import java.util.Arrays;
import java.util.List;

/**
 * One recorded step of the autograd tape: the primitive {@link Op} that produced {@link #output()}
 * from {@link #inputs()}. Inputs and output are saved for the gradient rule and released after
 * backward unless the graph is retained.
 */
public final class Node {
    private final Op op;
    private Tensor[] inputs;
    private Tensor output;
    private final int[] savedVersions;

    Node(Op op, Tensor[] inputs, Tensor output) {
        this.op = op;
        this.inputs = inputs.clone();
        this.output = output;
        this.savedVersions = new int[inputs.length + 1];
        for (int i = 0; i < inputs.length; i++) {
            savedVersions[i] = inputs[i].storage.version();
        }
        savedVersions[inputs.length] = output.storage.version();
    }

    public Op op() {
        return op;
    }

    /** The saved inputs; fails once the graph has been freed by a backward pass. */
    public List<Tensor> inputs() {
        return Arrays.asList(saved());
    }

    public Tensor input(int i) {
        return saved()[i];
    }

    /** The saved output; fails once the graph has been freed by a backward pass. */
    public Tensor output() {
        saved();
        return output;
    }

    int inputCount() {
        return saved().length;
    }

    boolean isReleased() {
        return inputs == null;
    }

    private Tensor[] saved() {
        if (inputs == null) {
            throw new AutogradException("backward through '" + op.name() + "' a second time: its saved tensors were "
                    + "freed by the first backward; pass retainGraph = true to the first call");
        }
        return inputs;
    }

    /** Fails if a saved tensor was modified in place after it was recorded. */
    void checkVersions() {
        Tensor[] in = saved();
        if (!dev.nabla.ops.GradientRules.usesSavedValues(op)) {
            return;
        }
        for (int i = 0; i <= in.length; i++) {
            Tensor t = i < in.length ? in[i] : output;
            if (t.storage.version() != savedVersions[i]) {
                throw new AutogradException("a tensor " + dev.nabla.ops.Shapes.str(t.layout.shape())
                        + " needed to compute the gradient of '" + op.name()
                        + "' was modified in place after it was used; clone it before modifying it");
            }
        }
    }

    void release() {
        inputs = null;
        output = null;
    }

    @Override
    public String toString() {
        return "Node[" + op.name() + "]";
    }
}
