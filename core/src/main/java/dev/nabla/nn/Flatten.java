package dev.nabla.nn;

import dev.nabla.Tensor;

/** Flattens dimensions {@code startDim..endDim} (default: all but the batch dimension). */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start=" + startDim + ", end=" + endDim;
    }
}
