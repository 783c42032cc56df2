package dev.nabla.serving.drift;

import java.util.List;
import java.util.function.UnaryOperator;

/** Ways served 28x28 images in [0, 1] can drift from the training images. */
final class Drifts {
    private Drifts() {
    }

    /** A camera or scanner with less contrast: every pixel times {@code factor}. */
    static UnaryOperator<float[]> contrast(float factor) {
        return x -> {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] * factor;
            }
            return y;
        };
    }

    /** Light items on a dark background become dark on light: 1 - x. */
    static UnaryOperator<float[]> inversion() {
        return x -> {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = 1 - x[i];
            }
            return y;
        };
    }

    /** Items no longer centred: moved {@code dx} pixels right, the background filling in from the left. */
    static UnaryOperator<float[]> shift(int dx) {
        return x -> {
            float[] y = new float[x.length];
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    int from = c - dx;
                    y[r * 28 + c] = from >= 0 && from < 28 ? x[r * 28 + from] : 0;
                }
            }
            return y;
        };
    }

    static List<float[]> apply(List<float[]> images, UnaryOperator<float[]> drift) {
        return images.stream().map(drift).toList();
    }
}
