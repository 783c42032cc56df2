package dev.nabla.cuda.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Kernel lookup by name across the loaded PTX modules, with the functions cached: the first lookup of a name asks
 * each module in turn (module order), later ones hit the cache. The loading and lookup calls are injected
 * ({@link Binding}), so this logic is tested without a GPU; {@link KernelModules} binds it to the driver. Device
 * thread only.
 *
 * @param <M> a loaded module
 * @param <F> a kernel function
 */
public final class KernelTable<M, F> {
    /** How modules are loaded and searched. */
    public interface Binding<M, F> {
        M load(String module, byte[] ptx);

        /** The kernel {@code name} in {@code module}, or null when it has none of that name. */
        F function(M module, String name);

        void unload(M module);
    }

    private final Binding<M, F> binding;
    private final List<String> moduleNames;
    private final Function<String, byte[]> ptx;
    private final Map<String, M> modules = new LinkedHashMap<>();
    private final Map<String, F> functions = new HashMap<>();

    /** Modules {@code moduleNames}, whose NUL-terminated PTX {@code ptx} returns; loaded on first use. */
    public KernelTable(Binding<M, F> binding, List<String> moduleNames, Function<String, byte[]> ptx) {
        this.binding = binding;
        this.moduleNames = List.copyOf(moduleNames);
        this.ptx = ptx;
    }

    /** Loads every module now (so a bad PTX fails at start, not at the first launch). */
    public void loadAll() {
        for (String name : moduleNames) {
            module(name);
        }
    }

    private M module(String name) {
        M m = modules.get(name);
        if (m == null) {
            m = binding.load(name, ptx.apply(name));
            modules.put(name, m);
        }
        return m;
    }

    /** The kernel named {@code name} (its {@code extern "C"} name). */
    public F function(String name) {
        F f = functions.get(name);
        if (f != null) {
            return f;
        }
        for (String module : moduleNames) {
            f = binding.function(module(module), name);
            if (f != null) {
                functions.put(name, f);
                return f;
            }
        }
        throw new IllegalArgumentException("no CUDA kernel named " + name + " in the PTX modules " + moduleNames);
    }

    /** Unloads every loaded module. */
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (M m : modules.values()) {
            try {
                binding.unload(m);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        modules.clear();
        functions.clear();
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }
}
