package dev.nabla.nn;

import dev.nabla.Tensor;

/** Zeroes elements with probability {@code p} in training mode, scaling the rest; the identity in eval mode. */
public class Dropout extends Module {
    private final double p;

    public Dropout(double p) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], found " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Functional.dropout(input, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
