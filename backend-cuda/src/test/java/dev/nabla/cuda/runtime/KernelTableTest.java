package dev.nabla.cuda.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelTableTest {
    /** Modules are their names; a module "holds" the kernels listed for it. */
    static final Map<String, Set<String>> KERNELS = Map.of(
            "binary", Set.of("nabla_add_f32", "nabla_mul_f32"),
            "fill", Set.of("nabla_fill_f32"));

    final List<String> log = new ArrayList<>();

    KernelTable<String, String> table() {
        return new KernelTable<>(new KernelTable.Binding<>() {
            @Override
            public String load(String module, byte[] ptx) {
                assertEquals(0, ptx[ptx.length - 1], "PTX must end with a NUL");
                log.add("load " + module);
                return module;
            }

            @Override
            public String function(String module, String name) {
                log.add("get " + module + "." + name);
                return KERNELS.get(module).contains(name) ? module + "." + name : null;
            }

            @Override
            public void unload(String module) {
                log.add("unload " + module);
            }
        }, List.of("binary", "fill"), name -> (name + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void kernelsAreFoundAcrossModulesAndCached() {
        KernelTable<String, String> t = table();
        assertEquals("fill.nabla_fill_f32", t.function("nabla_fill_f32"));
        assertEquals(List.of("load binary", "get binary.nabla_fill_f32", "load fill", "get fill.nabla_fill_f32"), log);
        log.clear();
        assertEquals("fill.nabla_fill_f32", t.function("nabla_fill_f32"));
        assertEquals("binary.nabla_mul_f32", t.function("nabla_mul_f32"));
        assertEquals(List.of("get binary.nabla_mul_f32"), log, "modules load once, functions are cached");
        t.close();
        assertTrue(log.containsAll(List.of("unload binary", "unload fill")));
    }

    @Test
    void anUnknownKernelFailsNamingTheModules() {
        KernelTable<String, String> t = table();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.function("nabla_nope"));
        assertEquals("no CUDA kernel named nabla_nope in the PTX modules [binary, fill]", e.getMessage());
    }

    @Test
    void loadAllLoadsEveryModuleOnce() {
        KernelTable<String, String> t = table();
        t.loadAll();
        t.loadAll();
        assertEquals(List.of("load binary", "load fill"), log);
    }
}
