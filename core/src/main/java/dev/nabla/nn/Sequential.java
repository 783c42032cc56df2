package dev.nabla.nn;

import dev.nabla.Tensor;

import java.util.List;

/** Runs its children in order, each on the previous one's output; children are named "0", "1", .... */
public class Sequential extends Module {
    private int count;

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a module; returns this for chaining. */
    public Sequential add(Module module) {
        registerModule(Integer.toString(count++), module);
        return this;
    }

    public Module get(int index) {
        return children().get(index);
    }

    public int size() {
        return count;
    }

    public List<Module> layers() {
        return children();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children()) {
            x = m.forward(x);
        }
        return x;
    }
}
