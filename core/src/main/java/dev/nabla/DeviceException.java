package dev.nabla;

/** Tensors on different devices were combined, or a device's backend is not available. */
public class DeviceException extends NablaException {
    public DeviceException(String message) {
        super(message);
    }
}
