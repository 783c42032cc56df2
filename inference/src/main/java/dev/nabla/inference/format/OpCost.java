package dev.nabla.inference.format;

import dev.nabla.ops.Op;
import dev.nabla.spi.Conv2dGeometry;

import java.util.List;

/**
 * An upper bound on what one op call allocates (elements of its result and of any scratch a kernel may need)
 * and on its multiply-adds, from its attributes and its input shapes alone. The loader checks these bounds
 * before the dry run, because the run compares a result with its declared type only after computing it: a call
 * whose attributes say "pad by a billion" must be refused before the kernel allocates the result.
 *
 * <p>Bounds are deliberately generous (scratch as if every convolution built its im2col matrix) and saturate at
 * {@link Long#MAX_VALUE}; nonsense inputs (wrong ranks) give some bound, and the op's own checks refuse them later.
 */
record OpCost(long elements, long multiplyAdds) {

    static OpCost of(Op op, List<int[]> in) {
        int[] x = in.isEmpty() ? new int[0] : in.get(0);
        return switch (op) {
            case Op.Binary b -> elements(numel(broadcast(in)));
            case Op.Where w -> elements(numel(broadcast(in)));
            case Op.MatMul m -> matmul(x, in.size() > 1 ? in.get(1) : new int[0]);
            case Op.Expand e -> elements(expand(e.shape(), x));
            case Op.Cat c -> {
                long n = 0;
                for (int[] s : in) {
                    n = add(n, numel(s));
                }
                yield elements(n);
            }
            case Op.Pad p -> elements(pad(p.pads(), x));
            case Op.Gather g -> elements(in.size() > 1 ? numel(in.get(1)) : 0);
            case Op.IndexSelect s -> {
                long index = in.size() > 1 ? numel(in.get(1)) : 0;
                long rows = s.dim() < x.length && x[s.dim()] > 0 ? numel(x) / x[s.dim()] : numel(x);
                yield elements(mul(rows, Math.max(index, 1)));
            }
            case Op.Unfold u -> windows(x, u.geometry(), 0, 1);
            case Op.Fold f -> {
                // [N, C*kh*kw, L] -> [N, C, height, width], through a padded image
                Conv2dGeometry g = f.geometry();
                long channels = x.length > 1 ? Math.max(x[1], 0) : 1;
                long image = mul(add(f.height(), 2L * g.padH()), add(f.width(), 2L * g.padW()));
                yield elements(add(numel(x), mul(mul(x.length > 0 ? Math.max(x[0], 0) : 1, channels), image)));
            }
            case Op.Conv2d c -> {
                int[] w = in.size() > 1 ? in.get(1) : new int[0];
                yield windows(x, c.geometry(), dim(w, 0), dim(w, 1) * (long) Math.max(c.groups(), 1));
            }
            case Op.Conv2dBackwardData c -> {
                // gradOut [N, O, oh, ow], weight [O, C/g, kh, kw] -> [N, C, height, width]
                int[] w = in.size() > 1 ? in.get(1) : new int[0];
                long channels = dim(w, 1) * (long) Math.max(c.groups(), 1);
                Conv2dGeometry g = c.geometry();
                long image = mul(add(c.height(), 2L * g.padH()), add(c.width(), 2L * g.padW()));
                long columns = mul(mul(mul(dim(x, 0), channels), g.kernelArea()), mul(dim(x, 2), dim(x, 3)));
                long result = mul(mul(dim(x, 0), channels), image);
                yield new OpCost(add(add(columns, result), numel(x)), mul(columns, dim(w, 0)));
            }
            case Op.Conv2dBackwardFilter c -> {
                // input [N, C, H, W], gradOut [N, O, oh, ow] -> [O, C/g, kh, kw], partial sums per chunk
                int[] gradOut = in.size() > 1 ? in.get(1) : new int[0];
                Conv2dGeometry g = c.geometry();
                long columns = mul(mul(mul(dim(x, 0), dim(x, 1)), g.kernelArea()), mul(dim(gradOut, 2), dim(gradOut, 3)));
                long result = mul(mul(c.outChannels(), dim(x, 1)), g.kernelArea());
                long padded = mul(mul(dim(x, 0), dim(x, 1)), mul(add(dim(x, 2), 2L * g.padH()), add(dim(x, 3), 2L * g.padW())));
                yield new OpCost(add(add(columns, mul(result, 17)), padded), mul(columns, c.outChannels()));
            }
            case Op.Linear l -> {
                // x [..., K] times weight [O, K]: rows of x by O outputs
                int[] w = in.size() > 1 ? in.get(1) : new int[0];
                long k = x.length > 0 ? dim(x, x.length - 1) : 1;
                long rows = k > 0 ? numel(x) / k : numel(x);
                long result = mul(rows, dim(w, 0));
                yield new OpCost(add(result, numel(x)), mul(result, k));
            }
            case Op.QuantizedLinear q -> {
                // like linear, plus the input quantized to bytes
                int[] w = in.size() > 1 ? in.get(1) : new int[0];
                long k = x.length > 0 ? dim(x, x.length - 1) : 1;
                long rows = k > 0 ? numel(x) / k : numel(x);
                long result = mul(rows, dim(w, 0));
                yield new OpCost(add(result, mul(numel(x), 2)), mul(result, k));
            }
            case Op.MaxPool2d m -> windows(x, m.geometry(), 0, 1);
            case Op.MaxPool2dBackward m -> {
                int[] input = in.size() > 1 ? in.get(1) : new int[0];
                OpCost pool = windows(input, m.geometry(), 0, 1);
                yield new OpCost(add(pool.elements, add(numel(input), numel(x))), pool.multiplyAdds);
            }
            // These never make more elements than they read. No default branch: a new op kind must get a bound.
            case Op.Unary u -> largestInput(in);
            case Op.Cast c -> largestInput(in);
            case Op.Reduce r -> largestInput(in);
            case Op.Reshape r -> largestInput(in);
            case Op.Permute p -> largestInput(in);
            case Op.Slice s -> largestInput(in);
            case Op.Contiguous c -> largestInput(in);
            case Op.ScatterAdd s -> largestInput(in); // shaped like its first input
            case Op.Dequantize d -> largestInput(in); // shaped like the quantized values
            case Op.BatchNormStats s -> largestInput(in);
            case Op.BatchNorm b -> largestInput(in); // shaped like x
        };
    }

    private static OpCost largestInput(List<int[]> in) {
        long n = 0;
        for (int[] s : in) {
            n = Math.max(n, numel(s));
        }
        return elements(n);
    }

    private static OpCost elements(long n) {
        return new OpCost(n, n);
    }

    /**
     * A sliding-window op on x [N, C, H, W]: its padded image, the im2col matrix a default kernel builds and the
     * result with {@code outChannels} channels (0: as many as the input). Multiply-adds: columns times filters.
     */
    private static OpCost windows(int[] x, Conv2dGeometry g, long outChannels, long inChannels) {
        long n = dim(x, 0);
        long c = Math.max(dim(x, 1), inChannels);
        long h = dim(x, 2);
        long w = dim(x, 3);
        long oh = Math.max(0, Math.floorDiv(h + 2L * g.padH() - (long) g.dilationH() * (g.kernelH() - 1) - 1,
                (long) g.strideH()) + 1);
        long ow = Math.max(0, Math.floorDiv(w + 2L * g.padW() - (long) g.dilationW() * (g.kernelW() - 1) - 1,
                (long) g.strideW()) + 1);
        long positions = mul(oh, ow);
        long padded = mul(mul(n, c), mul(add(h, 2L * g.padH()), add(w, 2L * g.padW())));
        long columns = mul(mul(mul(n, c), g.kernelArea()), positions);
        long result = mul(mul(n, outChannels == 0 ? c : outChannels), positions);
        return new OpCost(add(add(padded, columns), result), mul(columns, Math.max(outChannels, 1)));
    }

    private static OpCost matmul(int[] a, int[] b) {
        long m = a.length >= 2 ? dim(a, a.length - 2) : 1;
        long k = a.length >= 1 ? dim(a, a.length - 1) : 1;
        long n = b.length >= 2 ? dim(b, b.length - 1) : 1;
        int[] batchA = a.length > 2 ? java.util.Arrays.copyOf(a, a.length - 2) : new int[0];
        int[] batchB = b.length > 2 ? java.util.Arrays.copyOf(b, b.length - 2) : new int[0];
        long batch = numel(broadcast(List.of(batchA, batchB)));
        // the result, plus both operands copied to the common batch shape
        long elements = add(mul(batch, mul(m, n)), add(mul(batch, mul(m, k)), mul(batch, mul(k, n))));
        return new OpCost(elements, mul(batch, mul(mul(m, k), n)));
    }

    /** The broadcast shape, taking the larger size where sizes differ (an upper bound when they do not fit). */
    private static int[] broadcast(List<int[]> shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                out[d] = Math.max(out[d], s[i]);
            }
        }
        return out;
    }

    private static long expand(int[] target, int[] x) {
        long n = 1;
        int lead = target.length - x.length;
        for (int i = 0; i < target.length; i++) {
            long s = target[i] >= 0 ? target[i] : i >= lead ? x[i - lead] : 1;
            n = mul(n, s);
        }
        return n;
    }

    /** Pads count from the last dimension: (left, right) of the last, then of the one before, .... */
    private static long pad(int[] pads, int[] x) {
        long n = 1;
        for (int d = 0; d < x.length; d++) {
            int pair = x.length - 1 - d;
            long size = x[d];
            if (2 * pair + 1 < pads.length) {
                size += Math.abs((long) pads[2 * pair]) + Math.abs((long) pads[2 * pair + 1]);
            }
            n = mul(n, size);
        }
        return n;
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n = mul(n, Math.max(s, 0));
        }
        return n;
    }

    private static long dim(int[] shape, int i) {
        return i < shape.length ? Math.max(shape[i], 0) : 1;
    }

    /** Saturating product of non-negative numbers. */
    static long mul(long a, long b) {
        if (a <= 0 || b <= 0) {
            return 0;
        }
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }

    /** Saturating sum of non-negative numbers. */
    static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
