package dev.nabla.cuda.runtime;

import jcuda.driver.CUdeviceptr;

/**
 * A {@link CUdeviceptr} whose address can be read: {@code cuMemAlloc} fills it in, and {@link #address()} gives the
 * number the caching allocator keys its blocks by (JCuda keeps the native pointer in a protected field).
 */
public final class DevicePointer extends CUdeviceptr {
    public DevicePointer() {
    }

    /** The device address (the allocation's base; 0 before {@code cuMemAlloc}). */
    public long address() {
        return getNativePointer() + getByteOffset();
    }
}
