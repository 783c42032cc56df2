package dev.nabla.inference.graph;

import dev.nabla.DType;
import dev.nabla.inference.GraphException;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.Conv2dGeometry;
import dev.nabla.spi.FusedActivation;
import dev.nabla.spi.ReduceOp;
import dev.nabla.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpCodecTest {
    private static final Conv2dGeometry G = new Conv2dGeometry(3, 2, 1, 2, 1, 0, 1, 2);

    /** At least one record of every op, with every enum constant of the elementwise and reduction kinds. */
    static List<Op> samples() {
        List<Op> ops = new ArrayList<>();
        for (UnaryOp u : UnaryOp.values()) {
            ops.add(u == UnaryOp.LEAKY_RELU ? new Op.Unary(u, 0.125) : new Op.Unary(u));
        }
        for (BinaryOp b : BinaryOp.values()) {
            ops.add(new Op.Binary(b));
        }
        for (ReduceOp r : ReduceOp.values()) {
            ops.add(new Op.Reduce(r, new int[]{0, 2}, r.ordinal() % 2 == 0));
        }
        for (DType t : DType.values()) {
            ops.add(new Op.Cast(t));
        }
        ops.addAll(List.of(new Op.Where(), new Op.MatMul(), new Op.Reshape(new int[]{-1, 64}),
                new Op.Permute(new int[]{1, 0, 2}), new Op.Expand(new int[]{-1, 3, 4}), new Op.Slice(1, 2, 9, 3),
                new Op.Slice(0, 0, SymbolicShapes.OPEN_END, 1), new Op.Contiguous(), new Op.Cat(1),
                new Op.Pad(new int[]{1, -2, 0, 3}, -1.5), new Op.Gather(1), new Op.ScatterAdd(0), new Op.IndexSelect(2),
                new Op.Unfold(G), new Op.Fold(G, 7, 9), new Op.Conv2d(G, 2, true), new Op.Conv2d(G, 1, false, FusedActivation.RELU),
                new Op.Linear(true, FusedActivation.RELU), new Op.Linear(false, FusedActivation.NONE), new Op.Dequantize(1),
                new Op.QuantizedLinear(true, FusedActivation.RELU, 0.0125),
                new Op.Conv2dBackwardData(G, 1, 5, 6), new Op.Conv2dBackwardFilter(G, 3, 12), new Op.MaxPool2d(G),
                new Op.MaxPool2dBackward(G), new Op.BatchNormStats(), new Op.BatchNorm(1e-5, false),
                new Op.BatchNorm(0.001, true)));
        return ops;
    }

    @Test
    void everyOpRoundTripsThroughItsNameAndAttributes() {
        Set<Class<?>> covered = new HashSet<>();
        for (Op op : samples()) {
            Op back = OpCodec.decode(op.name(), OpCodec.attributes(op), "test");
            assertEquals(op, back, op.toString());
            covered.add(op.getClass());
        }
        for (Class<?> kind : Op.class.getPermittedSubclasses()) {
            assertTrue(covered.contains(kind), kind.getSimpleName() + " needs a sample (and a codec entry)");
        }
    }

    @Test
    void damagedAttributesAreRefusedNamingTheOpAndAttribute() {
        Map<String, Object> conv = new HashMap<>(OpCodec.attributes(new Op.Conv2d(G, 1, true)));
        conv.remove("groups");
        assertMessage(() -> OpCodec.decode("conv2d", conv, "node %3"), "node %3", "conv2d", "missing attribute 'groups'");
        Map<String, Object> extra = new HashMap<>(OpCodec.attributes(new Op.MatMul()));
        extra.put("alpha", 1.0);
        assertMessage(() -> OpCodec.decode("matmul", extra, "n"), "unknown attribute 'alpha'");
        assertMessage(() -> OpCodec.decode("conv3d", Map.of(), "n"), "unknown op 'conv3d'");
        assertMessage(() -> OpCodec.decode("cat", Map.of("dim", -1L), "n"), "'dim' must be an integer >= 0");
        assertMessage(() -> OpCodec.decode("cat", Map.of("dim", 1L << 40), "n"), "'dim'");
        assertMessage(() -> OpCodec.decode("cast", Map.of("dtype", "f8"), "n"), "'dtype'", "bf16, f16");
        assertEquals(new Op.Cast(DType.FLOAT16), OpCodec.decode("cast", Map.of("dtype", "f16"), "n"));
        assertEquals(new Op.Cast(DType.BFLOAT16), OpCodec.decode("cast", Map.of("dtype", "bf16"), "n"));
        assertMessage(() -> OpCodec.decode("reshape", Map.of("shape", List.of(-2L, 3L)), "n"), "'shape'");
        assertMessage(() -> OpCodec.decode("sum", Map.of("dims", List.of(0L), "keep_dim", "yes"), "n"), "'keep_dim'");
        Map<String, Object> pool = new HashMap<>(OpCodec.attributes(new Op.MaxPool2d(G)));
        pool.put("kernel", List.of(3L));
        assertMessage(() -> OpCodec.decode("max_pool2d", pool, "n"), "pair");
        pool.put("kernel", List.of(0L, 3L));
        assertMessage(() -> OpCodec.decode("max_pool2d", pool, "n"), "'kernel'");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... fragments) {
        GraphException e = assertThrows(GraphException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }
}
