package dev.nabla.ops;

import dev.nabla.ShapeException;

import java.util.Arrays;

/** Shape arithmetic shared by the ops: broadcasting, dimension wrapping, view strides. */
public final class Shapes {
    private Shapes() {
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new ShapeException("shape " + str(shape) + " has " + n + " elements, more than a tensor can hold ("
                    + Integer.MAX_VALUE + ")");
        }
        return (int) n;
    }

    /** Checks that no dimension is negative. */
    public static int[] checkShape(String op, int[] shape) {
        for (int s : shape) {
            if (s < 0) {
                throw new ShapeException(op + ": dimensions must be >= 0, found " + str(shape));
            }
        }
        numel(shape);
        return shape.clone();
    }

    /** Turns a possibly negative dimension index into {@code [0, rank)}, or explains why it cannot. */
    public static int wrapDim(String op, int dim, int rank) {
        int lo = rank == 0 ? -1 : -rank;
        int hi = rank == 0 ? 0 : rank - 1;
        if (dim < lo || dim > hi) {
            throw new ShapeException(op + ": dimension " + dim + " is out of range for a tensor of rank " + rank
                    + " (expected " + lo + " to " + hi + ")");
        }
        return dim < 0 ? dim + Math.max(rank, 1) : dim;
    }

    /** Wraps, sorts and de-duplicates a list of dimensions; duplicates are an error. */
    public static int[] wrapDims(String op, int[] dims, int rank) {
        int[] wrapped = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            wrapped[i] = rank == 0 ? wrapDim(op, dims[i], 0) * 0 : wrapDim(op, dims[i], rank);
        }
        Arrays.sort(wrapped);
        for (int i = 1; i < wrapped.length; i++) {
            if (wrapped[i] == wrapped[i - 1]) {
                throw new ShapeException(op + ": dimension " + wrapped[i] + " appears more than once in "
                        + Arrays.toString(dims));
            }
        }
        return rank == 0 ? new int[0] : wrapped;
    }

    /** All dimensions {@code 0..rank-1}. */
    public static int[] allDims(int rank) {
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = i;
        }
        return dims;
    }

    /** The shape two shapes broadcast to (NumPy rules), or a {@link ShapeException} naming {@code op}. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " is " + da + " versus " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** True if {@code from} can be expanded to {@code to}. */
    public static boolean canExpand(int[] from, int[] to) {
        if (from.length > to.length) {
            return false;
        }
        int lead = to.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && from[i] != to[lead + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Strides that view the elements of ({@code shape}, {@code strides}) as {@code newShape} without a
     * copy, or {@code null} if no such strides exist (PyTorch's rule: merged dimensions must be
     * contiguous with respect to each other).
     */
    public static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
        int[] newStrides = new int[newShape.length];
        if (numel(shape) == 0) {
            return dev.nabla.spi.Layout.contiguousStrides(newShape);
        }
        int viewDim = newShape.length - 1;
        int chunkBaseStride = strides.length == 0 ? 1 : strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBaseStride)) {
                while (viewDim >= 0 && (viewNumel < tensorNumel || newShape[viewDim] == 1)) {
                    newStrides[viewDim] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewDim];
                    viewDim--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBaseStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewDim == -1 ? newStrides : null;
    }

    /** Resolves one {@code -1} entry of a requested shape from the element count. */
    public static int[] inferShape(String op, int[] requested, int numel) {
        int[] shape = requested.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (unknown >= 0) {
                    throw new ShapeException(op + ": only one dimension can be -1, found " + str(requested));
                }
                unknown = i;
            } else if (shape[i] < 0) {
                throw new ShapeException(op + ": invalid dimension " + shape[i] + " in " + str(requested));
            } else {
                known *= shape[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new ShapeException(op + ": cannot infer -1 in " + str(requested) + " for " + numel + " elements");
            }
            shape[unknown] = (int) (numel / known);
        } else if (known != numel) {
            throw new ShapeException(op + ": shape " + str(requested) + " holds " + known
                    + " elements but the tensor has " + numel);
        }
        return shape;
    }
}
