package dev.nabla.cuda.memory;

import dev.nabla.NablaException;

/** A device allocation that failed even after the allocator emptied its cache; the message has the numbers. */
public final class DeviceOutOfMemoryException extends NablaException {
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }
}
