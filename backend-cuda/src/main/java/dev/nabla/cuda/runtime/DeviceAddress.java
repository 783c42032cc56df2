package dev.nabla.cuda.runtime;

/**
 * A device address as the backend passes it around, independent of the driver: an allocation ({@code block}, the
 * address the {@code DeviceMemory} answered for it) and a byte offset into it. {@link DeviceDriver} turns it into
 * the driver's own pointer (a {@code CUdeviceptr} on a GPU, a buffer id and offset in the kernels' CPU emulation).
 */
public record DeviceAddress(long block, long offset) {
    public DeviceAddress {
        if (offset < 0) {
            throw new IllegalArgumentException("negative byte offset " + offset);
        }
    }

    /** This address plus {@code bytes}. */
    public DeviceAddress plus(long bytes) {
        return bytes == 0 ? this : new DeviceAddress(block, offset + bytes);
    }
}
