package dev.nabla.inference.passes;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-channel symmetric int8 quantization of convolution and linear weights: each output channel {@code o} gets the
 * scale {@code s_o = max|w_o| / 127} and stores {@code q = round(w / s_o)} in [-127, 127] as INT8, a quarter of the
 * float's bytes. The layer then reads {@code dequantize(q, s)}, which a predictor expands once when it loads the
 * model, so the arithmetic stays float (int8 storage with dequantization). Biases stay float: they are few and
 * their rounding would add to every output. Not exact: each weight moves by at most half a step, {@code s_o / 2}.
 */
public final class WeightQuantization implements Pass {
    /** Largest quantized magnitude: symmetric, so -128 is never used and zero is exact. */
    static final int LEVELS = 127;

    @Override
    public String name() {
        return "int8 weights";
    }

    @Override
    public boolean isExact() {
        return false;
    }

    @Override
    public PassResult run(Graph graph) {
        GraphEditor editor = graph.edit();
        List<String> changes = new ArrayList<>();
        long floatBytes = 0;
        long quantizedBytes = 0;
        for (Node.Call layer : graph.calls()) {
            if (!(layer.op() instanceof Op.Conv2d || layer.op() instanceof Op.Linear)) {
                continue;
            }
            Node.Constant weight = graph.constant(layer.input(1));
            if (weight == null || weight.value().dtype() != DType.FLOAT32 || graph.useCount(weight.output()) != 1) {
                continue;
            }
            Quantized q = quantize(weight.value());
            Value values = editor.constant(weight.output().name() + ".int8", q.values(), Node.Role.PARAMETER,
                    weight.scope());
            Value scales = editor.constant(weight.output().name() + ".scale", q.scales(), Node.Role.CONSTANT,
                    weight.scope());
            Value dequantized = editor.call(weight.output().name() + ".dequantized", new Op.Dequantize(0),
                    new TensorType(DType.FLOAT32, weight.value().shape()), weight.scope(), values, scales);
            editor.replaceAllUses(weight.output(), dequantized);
            editor.remove(weight.output());
            floatBytes += 4L * weight.value().numel();
            quantizedBytes += weight.value().numel() + 4L * q.scales().numel();
            changes.add("stored " + Patterns.where(layer) + "'s weights " + weight.output().type() + " as int8 with "
                    + q.scales().numel() + " scales (largest rounding error " + String.format(java.util.Locale.ROOT,
                    "%.3g", q.maxError()) + ")");
        }
        if (changes.isEmpty()) {
            return PassResult.unchanged(graph);
        }
        changes.add(String.format(java.util.Locale.ROOT, "weights: %,d bytes as float, %,d as int8 with scales "
                + "(%.2fx smaller)", floatBytes, quantizedBytes, floatBytes / (double) quantizedBytes));
        return new PassResult(editor.build(), changes);
    }

    /** INT8 values, FLOAT32 scales (one per output channel) and the largest |w - q * s|. */
    record Quantized(Tensor values, Tensor scales, double maxError) {
    }

    static Quantized quantize(Tensor weight) {
        float[] w = weight.toFloatArray();
        int channels = weight.size(0);
        int per = w.length / Math.max(channels, 1);
        byte[] q = new byte[w.length];
        float[] scales = new float[channels];
        double maxError = 0;
        for (int o = 0; o < channels; o++) {
            float max = 0;
            for (int i = o * per; i < (o + 1) * per; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            float s = max == 0 ? 1f : max / LEVELS;
            scales[o] = s;
            for (int i = o * per; i < (o + 1) * per; i++) {
                int v = Math.max(-LEVELS, Math.min(LEVELS, Math.round(w[i] / s)));
                q[i] = (byte) v;
                maxError = Math.max(maxError, Math.abs(w[i] - v * s));
            }
        }
        return new Quantized(TensorScope.escape(Tensor.of(q).reshape(weight.shape())), TensorScope.escape(Tensor.of(scales)),
                maxError);
    }
}
