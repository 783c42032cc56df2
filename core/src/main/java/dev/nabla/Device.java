package dev.nabla;

import java.util.Locale;

/**
 * Where a tensor's storage lives: a backend type ({@code "cpu"}, {@code "cuda"}) and an index.
 *
 * @param type  backend type, lower case
 * @param index device ordinal within that type (always 0 for the CPU)
 */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        type = type.toLowerCase(Locale.ROOT);
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, found " + index);
        }
    }

    public static Device cuda(int index) {
        return new Device("cuda", index);
    }

    /** Parses {@code "cpu"}, {@code "cuda"} or {@code "cuda:1"}. */
    public static Device parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new Device(text.trim(), 0);
        }
        try {
            return new Device(text.substring(0, colon).trim(), Integer.parseInt(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device must look like 'cpu' or 'cuda:0', found '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return type.equals("cpu") ? "cpu" : type + ":" + index;
    }
}
