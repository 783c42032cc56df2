package dev.nabla.inference.graph;

import dev.nabla.Tensor;
import dev.nabla.ops.Op;

import java.util.List;

/**
 * One step of a {@link Graph}: it makes exactly one value. A graph input, a tensor stored in the graph
 * (a parameter, buffer or other constant), or a call of a primitive {@link Op}: the same op records that eager
 * mode runs, so the graph replays through the same kernels.
 */
public sealed interface Node permits Node.Input, Node.Constant, Node.Call {

    /** The value this node makes. */
    Value output();

    /** Where the node came from in the traced model. */
    Scope scope();

    /** A tensor the caller passes in. */
    record Input(Value output) implements Node {
        @Override
        public Scope scope() {
            return Scope.NONE;
        }
    }

    /** What a stored tensor was in the traced model. */
    enum Role {
        /** A module parameter (trained weights). */
        PARAMETER,
        /** A module buffer (e.g. batch-norm running statistics). */
        BUFFER,
        /** A tensor made outside the ops (e.g. a scalar operand) or computed by a pass. */
        CONSTANT
    }

    /**
     * A tensor stored in the graph. {@code value} is owned by the graph (a detached copy): graphs never share
     * memory with a live model, so training the model further does not change a captured graph.
     */
    record Constant(Value output, Tensor value, Role role, Scope scope) implements Node {
    }

    /** {@code output = op(inputs...)}. */
    record Call(Value output, Op op, List<Value> inputs, Scope scope) implements Node {
        public Call {
            inputs = List.copyOf(inputs);
        }

        public Value input(int i) {
            return inputs.get(i);
        }
    }
}
