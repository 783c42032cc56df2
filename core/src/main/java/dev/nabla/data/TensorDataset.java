package dev.nabla.data;

import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

/** Examples are the rows (first dimension) of an input tensor and a target tensor. */
public final class TensorDataset implements Dataset {
    private final Tensor inputs;
    private final Tensor targets;

    public TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs.rank() == 0 || targets.rank() == 0 || inputs.size(0) != targets.size(0)) {
            throw new ShapeException("TensorDataset: inputs " + Shapes.str(inputs.shape()) + " and targets "
                    + Shapes.str(targets.shape()) + " must have the same (non-zero rank) first dimension");
        }
        this.inputs = inputs;
        this.targets = targets;
    }

    public Tensor inputs() {
        return inputs;
    }

    public Tensor targets() {
        return targets;
    }

    @Override
    public int size() {
        return inputs.size(0);
    }

    @Override
    public Sample get(int index) {
        return new Sample(inputs.select(0, index), targets.select(0, index));
    }

    @Override
    public Batch batch(int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indices[i];
        }
        Tensor index = Tensor.of(idx).to(inputs.device());
        return new Batch(inputs.indexSelect(0, index), targets.indexSelect(0, index));
    }
}
