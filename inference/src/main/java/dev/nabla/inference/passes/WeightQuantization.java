package dev.nabla.inference.passes;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.calibration.ActivationRanges;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * int8 quantization: per-channel symmetric int8 weights for convolution and linear layers, and, given calibration
 * data, int8 inputs for linear layers.
 * <ul>
 *   <li>Weights: each output channel {@code o} gets the scale {@code s_o = max|w_o| / 127} and stores
 *       {@code q = round(w / s_o)} in [-127, 127] as INT8, a quarter of the float's bytes; each weight moves by at
 *       most half a step. Biases stay float: they are few and their rounding would add to every output.</li>
 *   <li>Convolutions read {@code dequantize(q, s)}, which a predictor expands once when it loads the model: int8
 *       storage, float arithmetic (a convolution is compute-bound, where the float GEMM wins).</li>
 *   <li>Linear layers, with calibration data, become {@link Op.QuantizedLinear}: the input is quantized with a scale
 *       from its calibrated range (the largest magnitude, or a percentile of them) and the CPU backend runs the
 *       products in int8 where that is faster (few rows: reading the weights is the cost) and in float otherwise.
 *       Without calibration data they read dequantized weights like convolutions.</li>
 * </ul>
 */
public final class WeightQuantization implements Pass {
    /** Largest quantized magnitude: symmetric, so -128 is never used and zero is exact. */
    static final int LEVELS = 127;

    private final List<Tensor> calibration;
    private final ActivationRanges.Method method;
    private final double percentile;

    /** Weights only: every layer stores int8 and computes in float. */
    public WeightQuantization() {
        this(List.of(), ActivationRanges.Method.PERCENTILE, 99.99);
    }

    /**
     * Weights, and linear layers with int8 inputs scaled from {@code calibration} batches by {@code method}
     * ({@code percentile}, e.g. 99.99, for {@link ActivationRanges.Method#PERCENTILE}).
     */
    public WeightQuantization(List<Tensor> calibration, ActivationRanges.Method method, double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], found " + percentile);
        }
        this.calibration = List.copyOf(calibration);
        this.method = method;
        this.percentile = percentile;
    }

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
        ActivationRanges ranges = calibration.isEmpty() ? null
                : ActivationRanges.collect(graph, linearInputs(graph), calibration);
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
            String stored = "stored " + Patterns.where(layer) + "'s weights " + weight.output().type() + " as int8 with "
                    + q.scales().numel() + " scales (largest rounding error " + String.format(java.util.Locale.ROOT,
                    "%.3g", q.maxError()) + ")";
            if (layer.op() instanceof Op.Linear l && ranges != null) {
                double range = ranges.range(layer.input(0), method, percentile);
                double inputScale = range > 0 ? range / LEVELS : 1;
                Node.Call current = (Node.Call) editor.node(layer.output());
                Value[] in = l.bias()
                        ? new Value[]{current.input(0), values, scales, dequantized, current.input(2)}
                        : new Value[]{current.input(0), values, scales, dequantized};
                editor.replaceInputs(layer.output(), in);
                editor.replaceOp(layer.output(), new Op.QuantizedLinear(l.bias(), l.activation(), inputScale),
                        layer.output().type());
                changes.add(stored + "; its input quantized to int8 with scale " + String.format(java.util.Locale.ROOT,
                        "%.4g", inputScale) + " (" + method.label() + (method == ActivationRanges.Method.PERCENTILE
                        ? " " + percentile : "") + " of the calibration data), int8 products where the backend has "
                        + "them");
            } else {
                changes.add(stored + "; float arithmetic on the dequantized weights");
            }
        }
        if (changes.isEmpty()) {
            return PassResult.unchanged(graph);
        }
        changes.add(String.format(java.util.Locale.ROOT, "weights: %,d bytes as float, %,d as int8 with scales "
                + "(%.2fx smaller)", floatBytes, quantizedBytes, floatBytes / (double) quantizedBytes));
        return new PassResult(editor.build(), changes);
    }

    /** The inputs of the linear layers this pass will quantize. */
    private static Set<Value> linearInputs(Graph graph) {
        Set<Value> inputs = new LinkedHashSet<>();
        for (Node.Call call : graph.calls()) {
            if (call.op() instanceof Op.Linear && graph.constant(call.input(1)) != null) {
                inputs.add(call.input(0));
            }
        }
        return inputs;
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
