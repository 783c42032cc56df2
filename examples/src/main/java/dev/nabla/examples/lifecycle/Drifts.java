package dev.nabla.examples.lifecycle;

import java.util.Locale;

/**
 * How the lifecycle demo changes the images it sends, as a camera, a scanner or a new product line would: raw pixels
 * in [0, 1], one 28x28 image at a time.
 */
public enum Drifts {
    /** A washed-out image: {@code 0.35 + 0.4 x}, the dark background turns grey. */
    CONTRAST,
    /** A negative: {@code 1 - x}, light background, dark garments. */
    INVERT,
    /** The garment moved 5 pixels right and 4 down, the uncovered edge black. */
    SHIFT;

    /** The drifted copy of one {@code size x size} image. */
    public float[] apply(float[] image, int size) {
        float[] out = new float[image.length];
        switch (this) {
            case CONTRAST -> {
                for (int i = 0; i < image.length; i++) {
                    out[i] = 0.35f + 0.4f * image[i];
                }
            }
            case INVERT -> {
                for (int i = 0; i < image.length; i++) {
                    out[i] = 1 - image[i];
                }
            }
            case SHIFT -> {
                int dx = 5;
                int dy = 4;
                for (int y = dy; y < size; y++) {
                    for (int x = dx; x < size; x++) {
                        out[y * size + x] = image[(y - dy) * size + (x - dx)];
                    }
                }
            }
        }
        return out;
    }

    /** The name on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
