package dev.nabla.inference.graph;

import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;

/**
 * Op attributes that leave the batch size open, made concrete for the tensors at hand. A graph records
 * {@code -1} where a reshape's or expand's target shape follows the batch size (a reshape infers it from the
 * element count, an expand keeps the input's size) and {@link #OPEN_END} where a slice runs to the end of a
 * dimension that follows the batch size.
 */
public final class SymbolicShapes {
    /** A slice end meaning "to the end of the dimension". */
    public static final int OPEN_END = Integer.MAX_VALUE;

    private SymbolicShapes() {
    }

    /** {@code op} with its open attributes fixed for {@code inputs}; {@code op} itself when it has none. */
    public static Op concrete(Op op, Tensor[] inputs) {
        return switch (op) {
            case Op.Reshape r when hasOpen(r.shape()) ->
                    new Op.Reshape(Shapes.inferShape("reshape", r.shape(), inputs[0].numel()));
            case Op.Expand e when hasOpen(e.shape()) -> new Op.Expand(expandShape(e.shape(), inputs[0].shape()));
            case Op.Slice s when s.end() == OPEN_END && s.dim() < inputs[0].rank() ->
                    new Op.Slice(s.dim(), s.start(), inputs[0].size(s.dim()), s.step());
            default -> op;
        };
    }

    private static boolean hasOpen(int[] shape) {
        for (int s : shape) {
            if (s < 0) {
                return true;
            }
        }
        return false;
    }

    /** -1 entries take the input's size in the aligned dimension (trailing dimensions align). */
    private static int[] expandShape(int[] template, int[] input) {
        int[] out = template.clone();
        int lead = out.length - input.length;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1 && i >= lead) {
                out[i] = input[i - lead];
            }
        }
        return out;
    }
}
