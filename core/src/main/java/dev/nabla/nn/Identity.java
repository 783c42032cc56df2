package dev.nabla.nn;

import dev.nabla.Tensor;

/** Returns its input; a placeholder that inference passes remove. */
public class Identity extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input;
    }
}
