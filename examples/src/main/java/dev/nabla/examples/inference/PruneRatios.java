package dev.nabla.examples.inference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --prune}'s value: one ratio for every layer ({@code 0.3}), ratios by layer ({@code model.0=0.5,model.4=0.25}),
 * or both ({@code 0.3,model.0=0.5}); layers not named take the plain ratio, or 0 without one.
 */
record PruneRatios(double uniform, Map<String, Double> perLayer) {

    static PruneRatios parse(String text) {
        double uniform = 0;
        boolean sawUniform = false;
        Map<String, Double> perLayer = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq < 0) {
                if (sawUniform) {
                    throw new IllegalArgumentException("expected one ratio for all layers, found two in '" + text + "'");
                }
                uniform = ratio(p, text);
                sawUniform = true;
            } else {
                String layer = p.substring(0, eq).trim();
                if (layer.isEmpty() || perLayer.put(layer, ratio(p.substring(eq + 1).trim(), text)) != null) {
                    throw new IllegalArgumentException("expected LAYER=RATIO with each layer once, found '" + p + "'");
                }
            }
        }
        return new PruneRatios(uniform, perLayer);
    }

    private static double ratio(String value, String text) {
        double r;
        try {
            r = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a ratio in [0, 1), found '" + value + "' in '" + text + "'");
        }
        if (!(r >= 0 && r < 1)) {
            throw new IllegalArgumentException("expected a ratio in [0, 1), found " + value);
        }
        return r;
    }
}
