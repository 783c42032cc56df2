package dev.nabla.inference.graph;

import dev.nabla.ops.Op;

/**
 * Size and cost of a graph for reports: parameters (elements of the stored weights) and floating-point operations
 * per sample (a multiply-add counts as two, as torchvision and ONNX tools count them).
 */
public final class GraphStats {
    private GraphStats() {
    }

    /** Elements of stored tensors that are trained weights (parameters; batch-norm statistics excluded). */
    public static long parameters(Graph graph) {
        long n = 0;
        for (Node.Constant c : graph.constants()) {
            if (c.role() == Node.Role.PARAMETER) {
                n += c.value().numel();
            }
        }
        return n;
    }

    /** Floating-point operations for one sample (batch size 1). */
    public static long flopsPerSample(Graph graph) {
        long total = 0;
        for (Node.Call call : graph.calls()) {
            total += flops(call);
        }
        return total;
    }

    /** Operations of one call at batch size 1. */
    static long flops(Node.Call call) {
        TensorType out = call.output().type();
        long outElements = out.numel(1);
        return switch (call.op()) {
            case Op.Conv2d c -> {
                int[] w = call.input(1).type().shape();          // [O, C/groups, kh, kw]
                long macs = outElements * w[1] * w[2] * w[3];
                yield 2 * macs + (c.bias() ? outElements : 0);
            }
            case Op.Linear l -> {
                long k = call.input(1).type().dim(1);
                yield 2 * outElements * k + (l.bias() ? outElements : 0);
            }
            case Op.QuantizedLinear q -> {
                long k = call.input(1).type().dim(1);
                yield 2 * outElements * k + (q.bias() ? outElements : 0);
            }
            case Op.MatMul m -> {
                TensorType a = call.input(0).type();
                yield 2 * outElements * a.dim(a.rank() - 1);
            }
            case Op.MaxPool2d m -> outElements * m.geometry().kernelArea();
            case Op.Unary u -> outElements;
            case Op.Binary b -> outElements;
            case Op.Where w -> outElements;
            case Op.Reduce r -> call.input(0).type().numel(1);
            case Op.BatchNorm b -> 2 * outElements;                  // a multiply-add per element
            case Op.BatchNormStats s -> 3 * call.input(0).type().numel(1);
            default -> 0; // data movement: reshape, permute, copies
        };
    }
}
