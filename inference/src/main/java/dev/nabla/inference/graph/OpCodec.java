package dev.nabla.inference.graph;

import dev.nabla.DType;
import dev.nabla.inference.GraphException;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An op record as a name and attributes, and back: what text dumps show and what model files store. Attribute
 * values are {@code Long}, {@code Double}, {@code Boolean}, {@code String} or lists of {@code Long}, the types
 * a JSON reader produces. Decoding checks every attribute's presence, type and range and refuses unknown ones,
 * so a damaged file fails with the op's name instead of producing a wrong record.
 */
public final class OpCodec {
    private static final Map<String, UnaryOp> UNARY = byName(UnaryOp.values());
    private static final Map<String, BinaryOp> BINARY = byName(BinaryOp.values());
    private static final Map<String, ReduceOp> REDUCE = byName(ReduceOp.values());

    private OpCodec() {
    }

    private static <E extends Enum<E>> Map<String, E> byName(E[] values) {
        Map<String, E> map = new HashMap<>();
        for (E e : values) {
            map.put(e.name().toLowerCase(Locale.ROOT), e);
        }
        return map;
    }

    /** The op's attributes in a fixed order (empty for ops that have none). */
    public static Map<String, Object> attributes(Op op) {
        Map<String, Object> a = new LinkedHashMap<>();
        switch (op) {
            case Op.Unary u -> {
                if (u.kind() == UnaryOp.LEAKY_RELU) {
                    a.put("alpha", u.alpha());
                }
            }
            case Op.Binary b -> {
            }
            case Op.Where w -> {
            }
            case Op.Cast c -> a.put("dtype", TensorType.dtypeName(c.dtype()));
            case Op.Reduce r -> {
                a.put("dims", list(r.dims()));
                a.put("keep_dim", r.keepDim());
            }
            case Op.MatMul m -> {
            }
            case Op.Reshape r -> a.put("shape", list(r.shape()));
            case Op.Permute p -> a.put("dims", list(p.dims()));
            case Op.Expand e -> a.put("shape", list(e.shape()));
            case Op.Slice s -> {
                a.put("dim", (long) s.dim());
                a.put("start", (long) s.start());
                a.put("end", (long) s.end());
                a.put("step", (long) s.step());
            }
            case Op.Contiguous c -> {
            }
            case Op.Cat c -> a.put("dim", (long) c.dim());
            case Op.Pad p -> {
                a.put("pads", list(p.pads()));
                a.put("value", p.value());
            }
            case Op.Gather g -> a.put("dim", (long) g.dim());
            case Op.ScatterAdd s -> a.put("dim", (long) s.dim());
            case Op.IndexSelect s -> a.put("dim", (long) s.dim());
            case Op.Unfold u -> putGeometry(a, u.geometry());
            case Op.Fold f -> {
                putGeometry(a, f.geometry());
                a.put("height", (long) f.height());
                a.put("width", (long) f.width());
            }
            case Op.Conv2d c -> {
                putGeometry(a, c.geometry());
                a.put("groups", (long) c.groups());
                a.put("bias", c.bias());
                a.put("activation", c.activation().name().toLowerCase(Locale.ROOT));
            }
            case Op.Linear l -> {
                a.put("bias", l.bias());
                a.put("activation", l.activation().name().toLowerCase(Locale.ROOT));
            }
            case Op.Dequantize d -> a.put("axis", (long) d.axis());
            case Op.QuantizedLinear q -> {
                a.put("bias", q.bias());
                a.put("activation", q.activation().name().toLowerCase(Locale.ROOT));
                a.put("input_scale", q.inputScale());
            }
            case Op.Conv2dBackwardData c -> {
                putGeometry(a, c.geometry());
                a.put("groups", (long) c.groups());
                a.put("height", (long) c.height());
                a.put("width", (long) c.width());
            }
            case Op.Conv2dBackwardFilter c -> {
                putGeometry(a, c.geometry());
                a.put("groups", (long) c.groups());
                a.put("out_channels", (long) c.outChannels());
            }
            case Op.MaxPool2d m -> putGeometry(a, m.geometry());
            case Op.MaxPool2dBackward m -> putGeometry(a, m.geometry());
            case Op.BatchNormStats s -> {
            }
            case Op.BatchNorm b -> {
                a.put("eps", b.eps());
                a.put("training", b.training());
            }
        }
        return a;
    }

    private static void putGeometry(Map<String, Object> a, Conv2dGeometry g) {
        a.put("kernel", List.of((long) g.kernelH(), (long) g.kernelW()));
        a.put("stride", List.of((long) g.strideH(), (long) g.strideW()));
        a.put("padding", List.of((long) g.padH(), (long) g.padW()));
        a.put("dilation", List.of((long) g.dilationH(), (long) g.dilationW()));
    }

    private static List<Long> list(int[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (int v : values) {
            out.add((long) v);
        }
        return out;
    }

    /**
     * The op record named {@code name} with {@code attributes}; {@code where} names the node in errors. Refuses
     * an unknown op, a missing, unknown or mistyped attribute, and values out of range.
     */
    public static Op decode(String name, Map<String, ?> attributes, String where) {
        Reader r = new Reader(name, attributes, where);
        Op op = r.op();
        r.finish();
        return op;
    }

    /** Reads attributes one by one, remembering which were read so that unknown ones are refused. */
    private static final class Reader {
        private final String name;
        private final Map<String, ?> attributes;
        private final String where;
        private final Set<String> read = new HashSet<>();

        Reader(String name, Map<String, ?> attributes, String where) {
            this.name = name;
            this.attributes = attributes;
            this.where = where;
        }

        private GraphException error(String problem) {
            return new GraphException(where + ": op '" + name + "': " + problem);
        }

        Op op() {
            if (UNARY.containsKey(name)) {
                UnaryOp kind = UNARY.get(name);
                return kind == UnaryOp.LEAKY_RELU ? new Op.Unary(kind, real("alpha")) : new Op.Unary(kind);
            }
            if (BINARY.containsKey(name)) {
                return new Op.Binary(BINARY.get(name));
            }
            if (REDUCE.containsKey(name)) {
                return new Op.Reduce(REDUCE.get(name), ints("dims", 0, Integer.MAX_VALUE), bool("keep_dim"));
            }
            return switch (name) {
                case "where" -> new Op.Where();
                case "cast" -> new Op.Cast(dtype("dtype"));
                case "matmul" -> new Op.MatMul();
                case "reshape" -> new Op.Reshape(ints("shape", -1, Integer.MAX_VALUE));
                case "permute" -> new Op.Permute(ints("dims", 0, Integer.MAX_VALUE));
                case "expand" -> new Op.Expand(ints("shape", -1, Integer.MAX_VALUE));
                case "slice" -> new Op.Slice(integer("dim", 0), integer("start", 0), integer("end", 0),
                        integer("step", 1));
                case "contiguous" -> new Op.Contiguous();
                case "cat" -> new Op.Cat(integer("dim", 0));
                case "pad" -> new Op.Pad(ints("pads", Integer.MIN_VALUE, Integer.MAX_VALUE), real("value"));
                case "gather" -> new Op.Gather(integer("dim", 0));
                case "scatter_add" -> new Op.ScatterAdd(integer("dim", 0));
                case "index_select" -> new Op.IndexSelect(integer("dim", 0));
                case "unfold" -> new Op.Unfold(geometry());
                case "fold" -> new Op.Fold(geometry(), integer("height", 1), integer("width", 1));
                case "conv2d" -> new Op.Conv2d(geometry(), integer("groups", 1), bool("bias"), activation());
                case "linear" -> new Op.Linear(bool("bias"), activation());
                case "dequantize" -> new Op.Dequantize(integer("axis", 0));
                case "quantized_linear" -> quantizedLinear();
                case "conv2d_backward_data" -> new Op.Conv2dBackwardData(geometry(), integer("groups", 1),
                        integer("height", 1), integer("width", 1));
                case "conv2d_backward_filter" -> new Op.Conv2dBackwardFilter(geometry(), integer("groups", 1),
                        integer("out_channels", 1));
                case "max_pool2d" -> new Op.MaxPool2d(geometry());
                case "max_pool2d_backward" -> new Op.MaxPool2dBackward(geometry());
                case "batch_norm_stats" -> new Op.BatchNormStats();
                case "batch_norm" -> batchNorm();
                default -> throw new GraphException(where + ": unknown op '" + name + "'");
            };
        }

        void finish() {
            for (String key : attributes.keySet()) {
                if (!read.contains(key)) {
                    throw error("unknown attribute '" + key + "'");
                }
            }
        }

        private Object get(String key) {
            read.add(key);
            Object v = attributes.get(key);
            if (v == null) {
                throw error("missing attribute '" + key + "'");
            }
            return v;
        }

        private int integer(String key, int min) {
            Object v = get(key);
            if (!(v instanceof Long l) || l < min || l > Integer.MAX_VALUE) {
                throw error("attribute '" + key + "' must be an integer >= " + min + ", found " + v);
            }
            return (int) (long) l;
        }

        private double real(String key) {
            Object v = get(key);
            if (v instanceof Long l) {
                return l;
            }
            if (!(v instanceof Double d)) {
                throw error("attribute '" + key + "' must be a number, found " + v);
            }
            return d;
        }

        private boolean bool(String key) {
            Object v = get(key);
            if (!(v instanceof Boolean b)) {
                throw error("attribute '" + key + "' must be true or false, found " + v);
            }
            return b;
        }

        private DType dtype(String key) {
            Object v = get(key);
            for (DType t : DType.values()) {
                if (TensorType.dtypeName(t).equals(v)) {
                    return t;
                }
            }
            throw error("attribute '" + key + "' must be one of f32, f64, bf16, f16, i64, i32, i8, bool, found " + v);
        }

        private Op batchNorm() {
            try {
                return new Op.BatchNorm(real("eps"), bool("training"));
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        private Op quantizedLinear() {
            boolean bias = bool("bias");
            FusedActivation activation = activation();
            double scale = real("input_scale");
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw error("attribute 'input_scale' must be a positive number, found " + scale);
            }
            return new Op.QuantizedLinear(bias, activation, scale);
        }

        private FusedActivation activation() {
            Object v = get("activation");
            for (FusedActivation a : FusedActivation.values()) {
                if (a.name().toLowerCase(Locale.ROOT).equals(v)) {
                    return a;
                }
            }
            throw error("attribute 'activation' must be none or relu, found " + v);
        }

        private int[] ints(String key, int min, int max) {
            Object v = get(key);
            if (!(v instanceof List<?> list) || list.size() > 64) {
                throw error("attribute '" + key + "' must be a list of at most 64 integers, found " + v);
            }
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Long l) || l < min || l > max) {
                    throw error("attribute '" + key + "' must hold integers from " + min + " to " + max + ", found "
                            + list);
                }
                out[i] = (int) (long) l;
            }
            return out;
        }

        private int[] pair(String key, int min) {
            int[] p = ints(key, min, Integer.MAX_VALUE);
            if (p.length != 2) {
                throw error("attribute '" + key + "' must be a pair [height, width], found " + attributes.get(key));
            }
            return p;
        }

        private Conv2dGeometry geometry() {
            int[] k = pair("kernel", 1);
            int[] s = pair("stride", 1);
            int[] p = pair("padding", 0);
            int[] d = pair("dilation", 1);
            return new Conv2dGeometry(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]);
        }
    }
}
