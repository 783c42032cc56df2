package dev.nabla.nn;

import dev.nabla.Tensor;

import java.util.Iterator;
import java.util.List;

/** Holds modules (so their parameters are registered) without defining how they are called. */
public class ModuleList extends Module implements Iterable<Module> {
    private int count;

    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public ModuleList add(Module module) {
        registerModule(Integer.toString(count++), module);
        return this;
    }

    public Module get(int index) {
        return children().get(index);
    }

    public int size() {
        return count;
    }

    @Override
    public Iterator<Module> iterator() {
        return List.copyOf(children()).iterator();
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward(); iterate over its modules instead");
    }
}
