package dev.nabla.cuda.kernels;

import java.util.Arrays;

/**
 * One kernel launch, as the host must make it: the PTX module, the kernel's name, the launch shape and the
 * arguments in order. Each argument is one of
 * <ul>
 *   <li>a device pointer: the opaque object the caller passed in (a {@code CUdeviceptr} on the host), to be passed
 *       as {@code Pointer.to(ptr)};</li>
 *   <li>an {@code int[18]}: a {@code NablaLayout} passed by value, {@code Pointer.to(int[])};</li>
 *   <li>an {@link Integer} ({@code int}: {@code Pointer.to(new int[]{v})}), a {@link Long} ({@code long long}:
 *       {@code Pointer.to(new long[]{v})}), a {@link Float} ({@code float}) or a {@link Double} ({@code double}).</li>
 * </ul>
 * Shared memory: always 0 bytes of dynamic shared memory.
 *
 * @param module PTX module ({@code CudaKernels.MODULES})
 * @param kernel the kernel's name in that module
 * @param grid   blocks (gridDim.x)
 * @param block  threads per block (blockDim.x)
 * @param args   the kernel's parameters in order
 */
public record KernelCall(String module, String kernel, int grid, int block, Object[] args) {

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(module).append('/').append(kernel).append("<<<").append(grid).append(", ")
                .append(block).append(">>>(");
        for (int i = 0; i < args.length; i++) {
            b.append(i == 0 ? "" : ", ").append(args[i] instanceof int[] l ? "layout" + Arrays.toString(l) : String.valueOf(args[i]));
        }
        return b.append(')').toString();
    }
}
