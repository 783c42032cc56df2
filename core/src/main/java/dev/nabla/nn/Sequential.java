package dev.nabla.nn;

import dev.nabla.Tensor;

/** Runs its children in order, each on the previous one's output; children are named "0", "1", .... */
public class Sequential extends ModuleList {

    public Sequential(Module... modules) {
        super(modules);
    }

    /** Appends a module; returns this for chaining. */
    @Override
    public Sequential add(Module module) {
        super.add(module);
        return this;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < size(); i++) {
            x = get(i).call(x);
        }
        return x;
    }
}
