package dev.nabla.nn;

import dev.nabla.Tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Holds modules (so their parameters are registered) without defining how they are called. */
public class ModuleList extends Module implements Iterable<Module> {
    /** The children in order, kept here so that {@link #get} allocates nothing. */
    private final List<Module> modules = new ArrayList<>();

    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public ModuleList add(Module module) {
        modules.add(registerModule(Integer.toString(modules.size()), module));
        return this;
    }

    public Module get(int index) {
        return modules.get(index);
    }

    public int size() {
        return modules.size();
    }

    @Override
    public Iterator<Module> iterator() {
        return List.copyOf(modules).iterator();
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward(); iterate over its modules instead");
    }
}
