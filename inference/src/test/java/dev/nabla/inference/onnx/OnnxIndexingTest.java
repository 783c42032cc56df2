package dev.nabla.inference.onnx;

import ai.onnxruntime.OrtException;
import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.inference.graph.Graph;
import dev.nabla.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.List;

/** gather (GatherElements), index_select (Gather) and scatter_add (ScatterElements with reduction add). */
class OnnxIndexingTest {

    @Test
    void gatherAlongEitherDimensionWithASmallerIndex() throws OrtException {
        Tensor src = Tensor.randn(3, 4);
        // index [2, 3]: smaller than src outside the gathered dimension, with repeats
        Tensor index = Tensor.of(new long[]{3, 0, 3, 1, 1, 2}, 2, 3);
        for (int dim : new int[]{0, 1}) {
            Tensor idx = dim == 0 ? Tensor.of(new long[]{2, 0, 2, 1, 1, 0}, 2, 3) : index;
            TinyGraph t = new TinyGraph();
            Graph graph = t.build(t.call(new Op.Gather(dim), t.input("src", src), t.input("index", idx)));
            Ort.assertMatches(graph, List.of(src, idx), 0, "gather dim " + dim);
        }
    }

    @Test
    void indexSelectWithA1dAndA0dIndex() throws OrtException {
        Tensor src = Tensor.randn(3, 4, 2);
        Tensor index = Tensor.of(new long[]{3, 0, 3, 2, 1}, 5);
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.IndexSelect(1), t.input("src", src), t.constant("index", index)));
        Ort.assertMatches(graph, List.of(src), 0, "index_select 1-d");
        // a 0-d index keeps the dimension (size 1), unlike ONNX Gather with a scalar index
        Tensor scalar = Tensor.scalar(DType.INT64, 2);
        TinyGraph s = new TinyGraph();
        Graph graph0 = s.build(s.call(new Op.IndexSelect(0), s.input("src", src), s.input("index", scalar)));
        Ort.assertMatches(graph0, List.of(src, scalar), 0, "index_select 0-d");
    }

    @Test
    void scatterAddAccumulatesRepeatedIndicesAndReadsOnlyTheIndexShapedPartOfSrc() throws OrtException {
        Tensor self = Tensor.randn(3, 5);
        Tensor index = Tensor.of(new long[]{0, 2, 0, 0, 1, 2}, 2, 3);
        Tensor src = Tensor.randn(2, 4);  // wider than index: its last column is not read
        TinyGraph t = new TinyGraph();
        Graph graph = t.build(t.call(new Op.ScatterAdd(0), t.input("self", self), t.constant("index", index),
                t.input("src", src)));
        Ort.assertMatches(graph, List.of(self, src), 1e-6, "scatter_add");
    }
}
