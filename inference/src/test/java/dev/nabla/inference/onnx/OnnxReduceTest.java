package dev.nabla.inference.onnx;

import ai.onnxruntime.OrtException;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.ops.Op;
import dev.nabla.spi.ReduceOp;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

/** Reductions: axes as an input (sum) or an attribute (the others), keepDim both ways, arg reductions. */
class OnnxReduceTest {

    private static Graph reduce(ReduceOp kind, int[] dims, boolean keepDim, Tensor x) {
        TinyGraph t = new TinyGraph();
        return t.build(t.call(new Op.Reduce(kind, dims, keepDim), t.input("x", x)));
    }

    @Test
    void sumProdMaxMinOverOneAndSeveralAxesWithAndWithoutKeepDim() throws OrtException {
        Tensor x = Tensor.randn(3, 4, 5).mul(0.9).add(0.2);
        for (ReduceOp kind : new ReduceOp[]{ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MAX, ReduceOp.MIN}) {
            for (int[] dims : new int[][]{{1}, {0, 2}, {0, 1, 2}}) {
                for (boolean keep : new boolean[]{true, false}) {
                    Ort.assertMatches(reduce(kind, dims, keep, x), List.of(x), 1e-6,
                            kind + " " + Arrays.toString(dims) + " keep " + keep);
                }
            }
        }
    }

    @Test
    void noAxesIsACopyNotAFullReduction() throws OrtException {
        Tensor x = Tensor.randn(2, 3);
        for (ReduceOp kind : new ReduceOp[]{ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MAX, ReduceOp.MIN}) {
            Ort.assertMatches(reduce(kind, new int[0], false, x), List.of(x), 0, kind + " over no axes");
        }
    }

    @Test
    void integerReductionsAreExact() throws OrtException {
        Tensor x = Tensor.of(new long[]{3, -1, 4, 1, -5, 9, 2, -6}, 2, 4);
        for (ReduceOp kind : new ReduceOp[]{ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MAX, ReduceOp.MIN}) {
            Ort.assertMatches(reduce(kind, new int[]{1}, false, x), List.of(x), 0, kind + " int64");
            Tensor x32 = x.to(DType.INT32);
            Ort.assertMatches(reduce(kind, new int[]{0}, true, x32), List.of(x32), 0, kind + " int32");
        }
    }

    @Test
    void argmaxAndArgminReturnTheFirstIndexOfTiesExactly() throws OrtException {
        // each row holds its extreme value twice: the first index must win
        Tensor x = Tensor.of(new float[]{1, 7, 3, 7, -2, -2, 0, 5, 9, 1, 9, 0}, 3, 4);
        for (ReduceOp kind : new ReduceOp[]{ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
            for (int dim : new int[]{0, 1}) {
                for (boolean keep : new boolean[]{true, false}) {
                    Ort.assertMatches(reduce(kind, new int[]{dim}, keep, x), List.of(x), 0,
                            kind + " dim " + dim + " keep " + keep);
                }
            }
        }
    }
}
