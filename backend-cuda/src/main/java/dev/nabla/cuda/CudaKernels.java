package dev.nabla.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The PTX modules this module ships: {@code src/main/cuda/<name>.cu}, compiled by {@code build-ptx.sh} to the
 * resource {@code dev/nabla/cuda/ptx/<name>.ptx} (PTX ISA 8.0, target sm_75, so it loads on every driver from R525
 * on). The CUDA backend will load them with {@code cuModuleLoadDataEx}.
 */
final class CudaKernels {
    /** Every module, in the order of their sources' names. */
    static final List<String> MODULES = List.of("binary", "cast", "fill", "index", "matmul", "norm", "optim", "pool", "random", "reduce", "unary", "where");

    private CudaKernels() {
    }

    /** The resource path of module {@code name}. */
    static String resource(String name) {
        return "/dev/nabla/cuda/ptx/" + name + ".ptx";
    }

    /** The PTX text of module {@code name} followed by a NUL, as {@code cuModuleLoadDataEx} wants it. */
    static byte[] ptx(String name) {
        try (InputStream in = CudaKernels.class.getResourceAsStream(resource(name))) {
            if (in == null) {
                throw new IllegalStateException("PTX module " + resource(name) + " is missing from nabla-backend-cuda;"
                        + " run backend-cuda/build-ptx.sh");
            }
            byte[] text = in.readAllBytes();
            return Arrays.copyOf(text, text.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PTX module " + resource(name), e);
        }
    }
}
