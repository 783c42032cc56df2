package dev.nabla.inference.passes;

import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * Removes ops that return their input unchanged: contiguous copies (a graph has no memory layout), reshapes,
 * expands, slices and pads that keep the shape, identity permutations, and multiplying or dividing by a stored 1 or
 * subtracting a stored 0 (exact for every float, NaN and -0.0 included). Dropout and identity modules leave no ops
 * in an eval-mode trace at all.
 */
public final class IdentityRemoval implements Pass {
    @Override
    public String name() {
        return "identity removal";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    @Override
    public PassResult run(Graph graph) {
        GraphEditor editor = graph.edit();
        List<String> changes = new ArrayList<>();
        for (Node.Call call : graph.calls()) {
            String why = identity(graph, call);
            if (why != null) {
                // read the input from the editor: an earlier removal may have rewired it
                Value input = ((Node.Call) editor.node(call.output())).input(0);
                editor.replaceAllUses(call.output(), input);
                editor.remove(call.output());
                changes.add("removed " + call.op().name() + " " + call.output().name() + " in " + Patterns.where(call)
                        + " (" + why + ")");
            }
        }
        return changes.isEmpty() ? PassResult.unchanged(graph) : new PassResult(editor.build(), changes);
    }

    /** Why {@code call} is the identity on its first input, or null if it is not. */
    private static String identity(Graph graph, Node.Call call) {
        boolean sameType = call.output().type().equals(call.input(0).type());
        return switch (call.op()) {
            case Op.Contiguous c -> "a copy in memory order";
            case Op.Reshape r when sameType -> "already that shape";
            case Op.Expand e when sameType -> "already that shape";
            case Op.Slice s when sameType && s.start() == 0 && s.step() == 1 -> "the whole dimension";
            case Op.Pad p when sameType && allZero(p.pads()) -> "no padding";
            case Op.Permute p when isIdentity(p.dims()) -> "dimensions in order";
            case Op.Binary b when sameType && neutral(graph, b.kind(), call) -> "a neutral operand";
            default -> null;
        };
    }

    private static boolean neutral(Graph graph, BinaryOp kind, Node.Call call) {
        Tensor other = Patterns.constant(graph, call.input(1));
        if (other == null || !other.dtype().isFloatingPoint()) {
            return false;
        }
        double want = switch (kind) {
            case MUL, DIV -> 1;
            case SUB -> 0;
            default -> Double.NaN;
        };
        if (Double.isNaN(want)) {
            return false;
        }
        for (double v : other.toDoubleArray()) {
            // bits, not ==: x - (-0.0) turns -0.0 into +0.0, x - (+0.0) keeps it
            if (Double.doubleToRawLongBits(v) != Double.doubleToRawLongBits(want)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(int[] values) {
        for (int v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIdentity(int[] dims) {
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != i) {
                return false;
            }
        }
        return true;
    }
}
