package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** cat, stack, split, chunk and pad. */
public final class Joining {
    private Joining() {
    }

    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: expected at least one tensor");
        }
        Tensor first = tensors.get(0);
        int rank = first.rank();
        if (rank == 0) {
            throw new ShapeException("cat: zero-dimensional tensors cannot be concatenated; use stack()");
        }
        int d = Shapes.wrapDim("cat", dim, rank);
        DType dtype = first.dtype();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            int[] s = t.layout().shape();
            boolean fits = s.length == rank;
            for (int j = 0; fits && j < rank; j++) {
                fits = j == d || s[j] == first.layout().shape()[j];
            }
            if (!fits) {
                throw new ShapeException("cat: tensor " + i + " has shape " + Shapes.str(s) + " but tensor 0 has "
                        + Shapes.str(first.layout().shape()) + "; they must match except in dimension " + d);
            }
            dtype = DType.promote(dtype, t.dtype());
        }
        Tensor[] inputs = new Tensor[tensors.size()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = tensors.get(i).to(dtype);
        }
        return Dispatcher.apply(new Op.Cat(d), inputs); // always a new tensor, even for one input
    }

    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: expected at least one tensor");
        }
        int[] shape = tensors.get(0).layout().shape();
        int d = Shapes.wrapDim("stack", dim, shape.length + 1);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!Arrays.equals(t.layout().shape(), shape)) {
                throw new ShapeException("stack: tensor " + i + " has shape " + Shapes.str(t.layout().shape())
                        + " but tensor 0 has " + Shapes.str(shape) + "; all must be equal");
            }
            expanded.add(t.unsqueeze(d));
        }
        return cat(expanded, d);
    }

    public static List<Tensor> split(Tensor x, int splitSize, int dim) {
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split: splitSize must be positive, found " + splitSize);
        }
        int d = Shapes.wrapDim("split", dim, x.rank());
        int size = x.layout().shape()[d];
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < size; start += splitSize) {
            parts.add(x.narrow(d, start, Math.min(splitSize, size - start)));
        }
        if (parts.isEmpty()) {
            parts.add(x);
        }
        return parts;
    }

    public static List<Tensor> split(Tensor x, int[] sizes, int dim) {
        int d = Shapes.wrapDim("split", dim, x.rank());
        int total = Arrays.stream(sizes).sum();
        if (total != x.layout().shape()[d] || Arrays.stream(sizes).anyMatch(s -> s < 0)) {
            throw new ShapeException("split: sizes " + Arrays.toString(sizes) + " must be >= 0 and add up to "
                    + x.layout().shape()[d] + " (dimension " + d + " of " + Shapes.str(x.layout().shape()) + ")");
        }
        List<Tensor> parts = new ArrayList<>(sizes.length);
        int start = 0;
        for (int s : sizes) {
            parts.add(x.narrow(d, start, s));
            start += s;
        }
        return parts;
    }

    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: chunks must be positive, found " + chunks);
        }
        int d = Shapes.wrapDim("chunk", dim, x.rank());
        int size = x.layout().shape()[d];
        return split(x, Math.max(1, (size + chunks - 1) / chunks), d);
    }

    public static Tensor pad(Tensor x, int[] pads, double value) {
        if (pads.length % 2 != 0 || pads.length / 2 > x.rank()) {
            throw new ShapeException("pad: expected an even number of values, at most 2 per dimension of "
                    + Shapes.str(x.layout().shape()) + ", found " + Arrays.toString(pads));
        }
        return Dispatcher.apply(new Op.Pad(pads.clone(), value), x);
    }
}
