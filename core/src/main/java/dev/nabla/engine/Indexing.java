package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Op;
import dev.nabla.ops.Shapes;

/** gather, scatterAdd, indexSelect and oneHot: checks in Java, then the primitive. */
public final class Indexing {
    private Indexing() {
    }

    private static Tensor asIndex(String op, Tensor index) {
        if (!index.dtype().isIntegral()) {
            throw new DTypeException(op + ": index must be INT64 or INT32, found " + index.dtype());
        }
        return index.to(DType.INT64);
    }

    /** Index sizes must not exceed {@code target}'s outside {@code dim} (and must match its rank). */
    private static void checkIndexShape(String op, Tensor index, Tensor target, String targetName, int dim,
                                        boolean includeDim) {
        int[] is = index.layout().shape();
        int[] ts = target.layout().shape();
        if (is.length != ts.length) {
            throw new ShapeException(op + ": index " + Shapes.str(is) + " must have the same rank as " + targetName
                    + " " + Shapes.str(ts));
        }
        for (int d = 0; d < is.length; d++) {
            if ((d != dim || includeDim) && is[d] > ts[d]) {
                throw new ShapeException(op + ": index " + Shapes.str(is) + " is larger than " + targetName + " "
                        + Shapes.str(ts) + " in dimension " + d);
            }
        }
    }

    public static Tensor gather(Tensor src, int dim, Tensor index) {
        int d = Shapes.wrapDim("gather", dim, src.rank());
        Tensor idx = asIndex("gather", index);
        checkIndexShape("gather", idx, src, "input", d, false);
        return Dispatcher.apply(new Op.Gather(d), src, idx);
    }

    public static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        int d = Shapes.wrapDim("scatterAdd", dim, self.rank());
        Tensor idx = asIndex("scatterAdd", index);
        checkIndexShape("scatterAdd", idx, self, "self", d, false);
        checkIndexShape("scatterAdd", idx, src, "src", d, true);
        return Dispatcher.apply(new Op.ScatterAdd(d), self, idx, src.to(self.dtype()));
    }

    public static Tensor indexSelect(Tensor src, int dim, Tensor index) {
        int d = Shapes.wrapDim("indexSelect", dim, src.rank());
        if (index.rank() > 1) {
            throw new ShapeException("indexSelect: index must be 0-d or 1-d, found " + Shapes.str(index.layout().shape()));
        }
        return Dispatcher.apply(new Op.IndexSelect(d), src, asIndex("indexSelect", index));
    }

    public static Tensor oneHot(Tensor labels, int numClasses) {
        if (!labels.dtype().isIntegral()) {
            throw new DTypeException("oneHot: labels must be INT64 or INT32, found " + labels.dtype());
        }
        Tensor idx = labels.to(DType.INT64);
        if (idx.numel() > 0) {
            long min = idx.min().itemLong();
            long max = idx.max().itemLong();
            if (numClasses < 0) {
                numClasses = (int) max + 1;
            }
            if (min < 0 || max >= numClasses) {
                throw new IllegalArgumentException("oneHot: labels must lie in [0, " + numClasses + "), found values from "
                        + min + " to " + max);
            }
        } else if (numClasses < 0) {
            throw new IllegalArgumentException("oneHot: cannot infer numClasses from an empty tensor");
        }
        Tensor classes = Tensor.arange(numClasses).to(labels.device());
        return idx.unsqueeze(-1).eq(classes).to(DType.INT64);
    }
}
