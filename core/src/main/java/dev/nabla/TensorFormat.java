package dev.nabla;

import dev.nabla.autograd.GradMode;

import java.util.Locale;

/**
 * PyTorch-like text for a tensor: {@code tensor([[1.0000, 2.0000], ...], requiresGrad=true)}. Large
 * tensors show their first and last {@value #EDGE} entries per dimension.
 */
final class TensorFormat {
    private static final int SUMMARIZE_ABOVE = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        if (t.isClosed()) {
            return "tensor(<closed>, shape=" + java.util.Arrays.toString(t.layout.shape()) + ", dtype=" + t.dtype + ")";
        }
        double[] values;
        long[] longs = null;
        boolean[] bools = null;
        try (var ignored = GradMode.noGrad()) {
            values = t.dtype.isFloatingPoint() ? t.toDoubleArray() : null;
            if (t.dtype.isIntegral()) {
                longs = t.toLongArray();
            } else if (t.dtype == DType.BOOL) {
                bools = t.toBooleanArray();
            }
        }
        boolean summarize = t.numel() > SUMMARIZE_ABOVE;
        boolean integral = true;
        if (values != null) {
            for (double v : values) {
                integral &= v == Math.rint(v) || !Double.isFinite(v);
            }
        }
        StringBuilder sb = new StringBuilder("tensor(");
        Cell cell = new Cell(values, longs, bools, integral);
        appendDim(sb, t.layout.shape(), 0, 0, cell, summarize, 7);
        if (t.dtype != DType.FLOAT32 && t.dtype != DType.INT64 && t.dtype != DType.BOOL) {
            sb.append(", dtype=").append(t.dtype);
        }
        if (!t.device().equals(Device.CPU)) {
            sb.append(", device=").append(t.device());
        }
        if (t.gradFn != null) {
            sb.append(", gradFn=").append(t.gradFn.op().name());
        } else if (t.requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(')').toString();
    }

    private record Cell(double[] values, long[] longs, boolean[] bools, boolean integral) {
        String at(int i) {
            if (longs != null) {
                return Long.toString(longs[i]);
            }
            if (bools != null) {
                return Boolean.toString(bools[i]);
            }
            double v = values[i];
            if (Double.isNaN(v)) {
                return "nan";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            if (integral) {
                return String.format(Locale.ROOT, "%.0f.", v);
            }
            double a = Math.abs(v);
            return (a != 0 && (a < 1e-4 || a >= 1e8)) ? String.format(Locale.ROOT, "%.4e", v)
                    : String.format(Locale.ROOT, "%.4f", v);
        }
    }

    private static void appendDim(StringBuilder sb, int[] shape, int dim, int base, Cell cell, boolean summarize,
                                  int indent) {
        if (dim == shape.length) {
            sb.append(cell.at(base));
            return;
        }
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            stride *= shape[d];
        }
        sb.append('[');
        int n = shape[dim];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - EDGE;
            }
            appendDim(sb, shape, dim + 1, base + i * stride, cell, summarize, indent);
            if (i < n - 1) {
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + "\n".repeat(Math.max(0, shape.length - dim - 2))
                        + " ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }
}
