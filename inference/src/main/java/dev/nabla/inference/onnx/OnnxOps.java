package dev.nabla.inference.onnx;

import dev.nabla.DType;
import dev.nabla.inference.GraphException;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.SymbolicShapes;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.ReduceOp;

import java.util.ArrayList;
import java.util.List;

import static dev.nabla.inference.onnx.OnnxAttribute.integer;
import static dev.nabla.inference.onnx.OnnxAttribute.ints;
import static dev.nabla.inference.onnx.OnnxAttribute.string;

/**
 * Each Nabla op as ONNX nodes (opset {@value OnnxExport#OPSET}): the node that makes the call's output carries the
 * Nabla value's name, helper values get new names. The switch over {@link Op} has no default, so a new core op
 * does not compile until it is mapped here. Elementwise ops are in {@link OnnxElementwise}.
 */
final class OnnxOps {
    private OnnxOps() {
    }

    /** Adds the nodes that compute {@code call}; refuses ops that have no ONNX equivalent. */
    static void emit(Node.Call call, OnnxGraphBuilder g) {
        String out = call.output().name();
        List<String> in = names(call.inputs());
        switch (call.op()) {
            case Op.Unary u -> OnnxElementwise.unary(call, u, g);
            case Op.Binary b -> OnnxElementwise.binary(call, b.kind(), g);
            case Op.Where w -> g.node("Where", out, in);
            case Op.Cast c -> g.node("Cast", out, in, integer("to", OnnxTensors.elemType(c.dtype())));
            case Op.Reduce r -> reduce(call, r, g);
            case Op.MatMul m -> g.node("MatMul", out, in);
            case Op.Reshape r -> reshape(call, r, g);
            case Op.Permute p -> g.node("Transpose", out, in, ints("perm", p.dims()));
            case Op.Expand e -> expand(call, e, g);
            case Op.Slice s -> slice(call, s, g);
            case Op.Contiguous c -> g.node("Identity", out, in);
            case Op.Cat c -> g.node("Concat", out, in, integer("axis", c.dim()));
            case Op.Pad p -> pad(call, p, g);
            case Op.Gather ga -> g.node("GatherElements", out, in, integer("axis", ga.dim()));
            case Op.ScatterAdd s -> scatterAdd(call, s, g);
            case Op.IndexSelect s -> indexSelect(call, s, g);
            case Op.Conv2d c -> activation(c.activation(), out, g,
                    result -> g.node("Conv", result, in, window(c.geometry(), true, c.groups())));
            case Op.Linear l -> activation(l.activation(), out, g, result -> linear(call, l, result, g));
            case Op.Dequantize d -> g.node("DequantizeLinear", out, in, integer("axis", d.axis()));
            // int8 arithmetic is a Nabla runtime choice; export the float stages (or int8 storage) instead
            case Op.QuantizedLinear q -> throw noEquivalent(call);
            case Op.MaxPool2d m -> g.node("MaxPool", out, in, window(m.geometry(), false, 1));
            // ONNX's input order is X, scale, B, mean, var; a training-mode batch norm uses the batch's statistics
            case Op.BatchNorm b when !b.training() -> g.node("BatchNormalization", out,
                    List.of(in.get(0), in.get(3), in.get(4), in.get(1), in.get(2)),
                    OnnxAttribute.real("epsilon", (float) b.eps()));
            case Op.BatchNorm b -> throw noEquivalent(call);
            case Op.BatchNormStats s -> throw noEquivalent(call);
            // Training-only ops and the im2col pair: ONNX has no single op for them.
            case Op.Unfold u -> throw noEquivalent(call);
            case Op.Fold f -> throw noEquivalent(call);
            case Op.Conv2dBackwardData c -> throw noEquivalent(call);
            case Op.Conv2dBackwardFilter c -> throw noEquivalent(call);
            case Op.MaxPool2dBackward m -> throw noEquivalent(call);
        }
    }

    /**
     * A layer with a fused activation: {@code layer} writes its result under the given name, then the activation
     * node makes {@code out} (ONNX has no fused form; ONNX Runtime fuses Conv and Relu again itself).
     */
    private static void activation(FusedActivation activation, String out, OnnxGraphBuilder g,
                                   java.util.function.Consumer<String> layer) {
        if (activation == FusedActivation.NONE) {
            layer.accept(out);
            return;
        }
        String pre = g.fresh(out + "_pre");
        layer.accept(pre);
        switch (activation) {
            case RELU -> g.node("Relu", out, List.of(pre));
            default -> throw new IllegalStateException(activation.toString());
        }
    }

    /** {@code x W^T + b}: Gemm(transB=1) for a matrix input, else MatMul by the transposed weight and Add. */
    private static void linear(Node.Call call, Op.Linear l, String out, OnnxGraphBuilder g) {
        List<String> in = names(call.inputs());
        if (call.input(0).type().rank() == 2) {
            g.node("Gemm", out, in, integer("transB", 1));
            return;
        }
        String transposed = g.helper("Transpose", out + "_wt", List.of(in.get(1)), ints("perm", new int[]{1, 0}));
        if (!l.bias()) {
            g.node("MatMul", out, List.of(in.get(0), transposed));
            return;
        }
        String product = g.helper("MatMul", out + "_mm", List.of(in.get(0), transposed));
        g.node("Add", out, List.of(product, in.get(2)));
    }

    static List<String> names(List<Value> values) {
        List<String> out = new ArrayList<>(values.size());
        for (Value v : values) {
            out.add(v.name());
        }
        return out;
    }

    static GraphException noEquivalent(Node.Call call) {
        return new GraphException("ONNX export: op '" + call.op().name() + "' (node " + call.output().name()
                + ") has no ONNX equivalent");
    }

    static GraphException error(Node.Call call, String problem) {
        return new GraphException("ONNX export: op '" + call.op().name() + "' (node " + call.output().name() + "): "
                + problem);
    }

    private static long[] wide(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /**
     * Nabla reduces nothing when {@code dims} is empty (a copy), while an ONNX reduction without axes reduces
     * every axis: an empty reduction is an Identity. ReduceSum takes its axes as an input from opset 13, the other
     * reductions as an attribute until opset 18. (ONNX Runtime's ReduceMax and ReduceMin skip NaN where Nabla's
     * propagate it; ONNX leaves NaN unspecified there.)
     */
    private static void reduce(Node.Call call, Op.Reduce r, OnnxGraphBuilder g) {
        String out = call.output().name();
        String x = call.input(0).name();
        int keep = r.keepDim() ? 1 : 0;
        switch (r.kind()) {
            case ARGMAX, ARGMIN -> {
                if (r.dims().length != 1) {
                    throw error(call, "arg reductions take exactly one dimension, found " + r.dims().length);
                }
                // select_last_index = 0: the first index of the extreme value wins, as in Nabla.
                g.node(r.kind() == ReduceOp.ARGMAX ? "ArgMax" : "ArgMin", out, List.of(x),
                        integer("axis", r.dims()[0]), integer("keepdims", keep), integer("select_last_index", 0));
            }
            case SUM, PROD, MAX, MIN -> {
                if (r.dims().length == 0) {
                    g.node("Identity", out, List.of(x));
                } else if (r.kind() == ReduceOp.SUM) {
                    g.node("ReduceSum", out, List.of(x, g.int64s(out + ".axes", wide(r.dims()))),
                            integer("keepdims", keep));
                } else {
                    String type = switch (r.kind()) {
                        case PROD -> "ReduceProd";
                        case MAX -> "ReduceMax";
                        default -> "ReduceMin";
                    };
                    g.node(type, out, List.of(x), ints("axes", r.dims()), integer("keepdims", keep));
                }
            }
        }
    }

    /**
     * A -1 entry (the batch size, inferred from the element count) means the same in ONNX. A 0 entry is a size of
     * 0 in Nabla but "copy the input's size" in ONNX unless allowzero is set; allowzero forbids -1 next to 0, a
     * shape Nabla cannot infer either.
     */
    private static void reshape(Node.Call call, Op.Reshape r, OnnxGraphBuilder g) {
        boolean zero = false;
        boolean open = false;
        for (int s : r.shape()) {
            zero |= s == 0;
            open |= s == -1;
        }
        if (zero && open) {
            throw error(call, "the target shape has both 0 and -1, so -1 cannot be inferred");
        }
        String out = call.output().name();
        String shape = g.int64s(out + ".shape", wide(r.shape()));
        if (zero) {
            g.node("Reshape", out, List.of(call.input(0).name(), shape), integer("allowzero", 1));
        } else {
            g.node("Reshape", out, List.of(call.input(0).name(), shape));
        }
    }

    /**
     * A -1 entry keeps the input's size in the aligned dimension (see {@link SymbolicShapes}). ONNX's Expand
     * broadcasts both ways, so a target size of 1 leaves the input's size as it is: -1 becomes 1. An entry above
     * the input's rank has no size to keep.
     */
    private static void expand(Node.Call call, Op.Expand e, OnnxGraphBuilder g) {
        int[] target = e.shape();
        int lead = target.length - call.input(0).type().rank();
        long[] shape = new long[target.length];
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1 && i < lead) {
                throw error(call, "entry " + i + " of the target shape is -1 but the input has no dimension there");
            }
            shape[i] = target[i] == -1 ? 1 : target[i];
        }
        String out = call.output().name();
        g.node("Expand", out, List.of(call.input(0).name(), g.int64s(out + ".shape", shape)));
    }

    /** An open end ({@link SymbolicShapes#OPEN_END}, "to the end") is INT64_MAX, which ONNX clamps to the size. */
    private static void slice(Node.Call call, Op.Slice s, OnnxGraphBuilder g) {
        String out = call.output().name();
        long end = s.end() == SymbolicShapes.OPEN_END ? Long.MAX_VALUE : s.end();
        g.node("Slice", out, List.of(call.input(0).name(),
                g.int64s(out + ".starts", s.start()),
                g.int64s(out + ".ends", end),
                g.int64s(out + ".axes", s.dim()),
                g.int64s(out + ".steps", s.step())));
    }

    /**
     * Nabla's pads are (before, after) pairs from the last dimension; ONNX's are all the befores, then all the
     * afters, from the first dimension. Both crop where negative.
     */
    private static void pad(Node.Call call, Op.Pad p, OnnxGraphBuilder g) {
        int rank = call.input(0).type().rank();
        long[] pads = new long[2 * rank];
        for (int i = 0; i < p.pads().length / 2; i++) {
            int d = rank - 1 - i;
            pads[d] = p.pads()[2 * i];
            pads[rank + d] = p.pads()[2 * i + 1];
        }
        String out = call.output().name();
        DType dtype = call.input(0).type().dtype();
        g.node("Pad", out, List.of(call.input(0).name(), g.int64s(out + ".pads", pads),
                g.scalar(out + ".value", dtype, p.value())), string("mode", "constant"));
    }

    /**
     * ScatterElements with reduction "add" accumulates repeated indices like Nabla's scatter_add. ONNX needs the
     * updates exactly index-shaped, while Nabla reads only the index-shaped corner of a larger {@code src}: that
     * corner is sliced out first.
     */
    private static void scatterAdd(Node.Call call, Op.ScatterAdd s, OnnxGraphBuilder g) {
        String out = call.output().name();
        Value index = call.input(1);
        Value src = call.input(2);
        String updates = src.name();
        for (int d = 0; d < index.type().rank(); d++) {
            int want = index.type().dim(d);
            int have = src.type().dim(d);
            if (want == have) {
                continue;
            }
            if (want < 0 || have < 0) {
                throw error(call, "src " + src.type() + " and index " + index.type() + " differ in dimension " + d
                        + ", which follows the batch size");
            }
            updates = g.helper("Slice", out + ".src", List.of(updates, g.int64s(out + ".starts", 0),
                    g.int64s(out + ".ends", want), g.int64s(out + ".axes", d)));
        }
        g.node("ScatterElements", out, List.of(call.input(0).name(), index.name(), updates),
                integer("axis", s.dim()), string("reduction", "add"));
    }

    /** Gather along {@code dim}; a 0-d index selects one entry but keeps the dimension, so it is made 1-d first. */
    private static void indexSelect(Node.Call call, Op.IndexSelect s, OnnxGraphBuilder g) {
        String out = call.output().name();
        Value index = call.input(1);
        String indices = index.name();
        if (index.type().rank() == 0) {
            indices = g.helper("Reshape", out + ".index", List.of(indices, g.int64s(out + ".index_shape", 1)));
        }
        g.node("Gather", out, List.of(call.input(0).name(), indices), integer("axis", s.dim()));
    }

    /**
     * Conv and MaxPool attributes. ONNX pads are [top, left, bottom, right]; Nabla pads both sides alike.
     * MaxPool pads count as negative infinity in both. ceil_mode stays 0: Nabla's max_pool2d op rounds down (a
     * module's ceil_mode reaches the graph as a negative-infinity Pad before it, exported as an ONNX Pad).
     */
    private static OnnxAttribute[] window(Conv2dGeometry w, boolean conv, int groups) {
        List<OnnxAttribute> a = new ArrayList<>(List.of(
                ints("kernel_shape", w.kernelH(), w.kernelW()),
                ints("strides", w.strideH(), w.strideW()),
                ints("pads", w.padH(), w.padW(), w.padH(), w.padW()),
                ints("dilations", w.dilationH(), w.dilationW())));
        a.add(conv ? integer("group", groups) : integer("ceil_mode", 0));
        return a.toArray(OnnxAttribute[]::new);
    }
}
