package dev.nabla.testkit;

import dev.nabla.SettingScope;
import dev.nabla.Tensor;
import dev.nabla.Tracing;
import dev.nabla.ops.Op;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Which primitive ops the gradient cases check, derived from {@link Op} itself rather than from a list kept by
 * hand: a new op record, or a new constant of a record's {@code kind} enum ({@code UnaryOp}, {@code BinaryOp},
 * {@code ReduceOp}), is a primitive that needs a finite-difference case unless {@link #NOT_DIFFERENTIABLE} says
 * why not. A case covers the ops it records on the autograd tape, seen through a {@link dev.nabla.ops.Tracer}:
 * those are exactly the ops whose gradient rules the check runs.
 */
final class GradientCoverage {
    private GradientCoverage() {
    }

    /**
     * Primitives without a gradient by design, with the reason. Only these may lack a gradient case; each must
     * also never be recorded on the tape (so a differentiable op cannot hide here).
     */
    static final Map<String, String> NOT_DIFFERENTIABLE = Map.ofEntries(
            Map.entry("Unary.LOGICAL_NOT", "reads and writes BOOL"),
            Map.entry("Binary.EQ", "comparison: a BOOL result"),
            Map.entry("Binary.NE", "comparison: a BOOL result"),
            Map.entry("Binary.LT", "comparison: a BOOL result"),
            Map.entry("Binary.LE", "comparison: a BOOL result"),
            Map.entry("Binary.GT", "comparison: a BOOL result"),
            Map.entry("Binary.GE", "comparison: a BOOL result"),
            Map.entry("Binary.LOGICAL_AND", "reads and writes BOOL"),
            Map.entry("Binary.LOGICAL_OR", "reads and writes BOOL"),
            Map.entry("Binary.LOGICAL_XOR", "reads and writes BOOL"),
            Map.entry("Reduce.ARGMAX", "an INT64 index result"),
            Map.entry("Reduce.ARGMIN", "an INT64 index result"),
            Map.entry("QuantizedLinear", "inference only: int8 weights are stored, not trained"),
            Map.entry("Dequantize", "inference only: int8 weights are stored, not trained"),
            Map.entry("BatchNormStats", "batch statistics: batch_norm's training-mode rule differentiates through them"));

    /**
     * Every primitive: the simple name of each record that implements {@link Op}, or {@code Name.CONSTANT} for
     * each constant of a record's {@code kind} enum.
     */
    static SortedSet<String> primitives() {
        SortedSet<String> keys = new TreeSet<>();
        for (Class<?> record : Op.class.getPermittedSubclasses()) {
            RecordComponent kind = kindComponent(record);
            if (kind == null) {
                keys.add(record.getSimpleName());
            } else {
                for (Object constant : kind.getType().getEnumConstants()) {
                    keys.add(record.getSimpleName() + "." + ((Enum<?>) constant).name());
                }
            }
        }
        return keys;
    }

    /** The primitive {@code op} is an instance of, named as in {@link #primitives()}. */
    static String key(Op op) {
        RecordComponent kind = kindComponent(op.getClass());
        if (kind == null) {
            return op.getClass().getSimpleName();
        }
        try {
            return op.getClass().getSimpleName() + "." + ((Enum<?>) kind.getAccessor().invoke(op)).name();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the kind of " + op, e);
        }
    }

    private static RecordComponent kindComponent(Class<?> record) {
        RecordComponent[] components = record.getRecordComponents();
        if (components == null) {
            throw new IllegalStateException(record + " implements Op but is not a record");
        }
        for (RecordComponent c : components) {
            if (c.getName().equals("kind") && c.getType().isEnum()) {
                return c;
            }
        }
        return null;
    }

    /**
     * The primitives {@code f} records on the autograd tape when its floating-point inputs require grad (as in
     * {@link dev.nabla.autograd.GradCheck}); ops on constants, indices and masks are not counted.
     */
    static Set<String> recordedOnTape(Function<Tensor[], Tensor> f, Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t.dtype().isFloatingPoint()) {
                t.requiresGrad(true);
            }
        }
        Set<String> keys = new TreeSet<>();
        try (SettingScope ignored = Tracing.install((op, in, out) -> {
            if (out.requiresGrad()) {
                keys.add(key(op));
            }
        })) {
            f.apply(inputs);
        }
        return keys;
    }

    /** Primitives that need a case and are recorded by none of {@code recorded} (one set per case). */
    static SortedSet<String> uncovered(Collection<Set<String>> recorded) {
        SortedSet<String> missing = primitives();
        missing.removeAll(NOT_DIFFERENTIABLE.keySet());
        recorded.forEach(missing::removeAll);
        return missing;
    }

    /** Allow-listed primitives that some case did record on the tape, with the case: they are differentiable. */
    static Map<String, String> allowListedButRecorded(Map<String, Set<String>> recordedByCase) {
        Map<String, String> found = new TreeMap<>();
        recordedByCase.forEach((caseName, keys) -> keys.stream().filter(NOT_DIFFERENTIABLE::containsKey)
                .forEach(k -> found.putIfAbsent(k, caseName)));
        return found;
    }
}
