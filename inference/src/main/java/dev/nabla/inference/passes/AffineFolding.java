package dev.nabla.inference.passes;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.TensorScope;
import dev.nabla.inference.graph.Graph;
import dev.nabla.inference.graph.GraphEditor;
import dev.nabla.inference.graph.Node;
import dev.nabla.inference.graph.Scope;
import dev.nabla.inference.graph.TensorType;
import dev.nabla.inference.graph.Value;
import dev.nabla.ops.Op;
import dev.nabla.spi.BinaryOp;
import dev.nabla.spi.FusedActivation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Folds per-channel scales and shifts that follow a convolution or linear layer into its weights and bias: a batch
 * norm in eval mode with stored statistics ({@code batch_norm}, or the same function written as a chain of adds,
 * subtracts, multiplies and divides by stored per-channel tensors, as {@link ConstantFolding} leaves it). The whole
 * chain becomes {@code s * y + t}, so the layer's weights are scaled by {@code s} and
 * its bias becomes {@code s * b + t} (computed in double). Every value in the chain must have exactly one reader:
 * when the layer's output is read elsewhere too (torch.fx's rule), folding would change what that reader sees, so
 * the fold is declined and said so.
 */
public final class AffineFolding implements Pass {
    @Override
    public String name() {
        return "batch-norm folding";
    }

    @Override
    public boolean isExact() {
        return true;
    }

    /**
     * A per-channel step of the chain: {@code y = y op c} for a binary op, or {@code y = y * c + shift} for a batch
     * norm ({@code kind} null).
     */
    private record Step(Node.Call call, BinaryOp kind, double[] perChannel, double[] shift) {
    }

    @Override
    public PassResult run(Graph graph) {
        GraphEditor editor = graph.edit();
        List<String> changes = new ArrayList<>();
        for (Node.Call layer : graph.calls()) {
            int channels = channels(graph, layer);
            if (channels < 0) {
                continue;
            }
            List<Step> chain = chain(graph, layer, channels);
            if (chain.isEmpty()) {
                if (graph.useCount(layer.output()) > 1 && graph.users(layer.output()).stream()
                        .anyMatch(u -> step(graph, u, layer.output(), layer, channels) != null)) {
                    changes.add("declined: " + Patterns.where(layer) + " is read by " + graph.useCount(layer.output())
                            + " ops, so the scale after it cannot move into its weights");
                }
                continue;
            }
            fold(graph, editor, layer, channels, chain);
            Set<String> folded = new LinkedHashSet<>();
            for (Step s : chain) {
                folded.add(Patterns.where(s.call()));
            }
            changes.add("folded " + String.join(", ", folded) + " into " + Patterns.where(layer) + " (" + chain.size()
                    + " op" + (chain.size() == 1 ? "" : "s") + ")");
        }
        return changes.stream().noneMatch(c -> c.startsWith("folded")) ? new PassResult(graph, changes)
                : new PassResult(new DeadCodeElimination().run(editor.build()).graph(), changes);
    }

    /** Output channels of a conv2d or linear call without a fused activation and with stored weights, else -1. */
    private static int channels(Graph graph, Node.Call call) {
        boolean conv = call.op() instanceof Op.Conv2d c && c.activation() == FusedActivation.NONE;
        boolean linear = call.op() instanceof Op.Linear l && l.activation() == FusedActivation.NONE;
        if (!(conv || linear) || !call.output().type().dtype().isFloatingPoint()) {
            return -1;
        }
        for (int i = 1; i < call.inputs().size(); i++) {
            if (Patterns.constant(graph, call.input(i)) == null) {
                return -1;
            }
        }
        Tensor w = Patterns.constant(graph, call.input(1));
        return w.size(0);
    }

    /** The longest run of per-channel steps after {@code layer}, each the only reader of the value before it. */
    private static List<Step> chain(Graph graph, Node.Call layer, int channels) {
        List<Step> chain = new ArrayList<>();
        Value v = layer.output();
        while (true) {
            Node.Call user = Patterns.onlyUser(graph, v);
            Step step = user == null ? null : step(graph, user, v, layer, channels);
            if (step == null) {
                return chain;
            }
            chain.add(step);
            v = user.output();
        }
    }

    /** {@code user} as a per-channel step applied to {@code v}, or null if it is not one. */
    private static Step step(Graph graph, Node.Call user, Value v, Node.Call layer, int channels) {
        if (user.op() instanceof Op.BatchNorm b) {
            return batchNormStep(graph, user, b, v, layer, channels);
        }
        if (!(user.op() instanceof Op.Binary b) || !user.output().type().equals(v.type())) {
            return null;
        }
        BinaryOp kind = b.kind();
        boolean first = user.input(0).id() == v.id();
        boolean commutes = kind == BinaryOp.ADD || kind == BinaryOp.MUL;
        boolean ordered = kind == BinaryOp.SUB || kind == BinaryOp.DIV;
        if (!(commutes || ordered && first) || user.input(0).id() == user.input(1).id()) {
            return null;
        }
        Tensor c = Patterns.constant(graph, user.input(first ? 1 : 0));
        double[] perChannel = c == null ? null : perChannel(c, v.type(), layer.op() instanceof Op.Conv2d, channels);
        return perChannel == null ? null : new Step(user, kind, perChannel, null);
    }

    /**
     * An eval-mode batch norm of {@code v} with stored statistics, weight and bias as the step
     * {@code y * w / sqrt(var + eps) + (b - mean * w / sqrt(var + eps))}, or null. Its channel dimension 1 must be the
     * layer's: a convolution's output, or a linear layer's [N, C].
     */
    private static Step batchNormStep(Graph graph, Node.Call user, Op.BatchNorm b, Value v, Node.Call layer,
                                      int channels) {
        boolean conv = layer.op() instanceof Op.Conv2d;
        if (b.training() || user.input(0).id() != v.id() || (!conv && v.type().rank() != 2)) {
            return null;
        }
        double[][] stored = new double[4][];
        for (int i = 1; i <= 4; i++) {
            Tensor c = Patterns.constant(graph, user.input(i));
            if (c == null || c.numel() != channels) {
                return null;
            }
            stored[i - 1] = c.toDoubleArray();
        }
        double[] scale = new double[channels];
        double[] shift = new double[channels];
        for (int o = 0; o < channels; o++) {
            scale[o] = stored[2][o] / Math.sqrt(stored[1][o] + b.eps());
            shift[o] = stored[3][o] - stored[0][o] * scale[o];
        }
        return new Step(user, null, scale, shift);
    }

    /**
     * The constant's value for each output channel if it varies along the channel axis only (dimension 1 of a
     * convolution's [N, C, H, W], the last of a linear layer's [..., C]) and does not widen the output; else null.
     */
    static double[] perChannel(Tensor c, TensorType out, boolean conv, int channels) {
        int[] shape = c.shape();
        int rank = out.rank();
        int axis = conv ? 1 : rank - 1;
        if (shape.length > rank) {
            return null;
        }
        int lead = rank - shape.length;
        boolean alongChannels = false;
        for (int i = 0; i < shape.length; i++) {
            int d = lead + i;
            if (d == axis && shape[i] == channels) {
                alongChannels = true;
            } else if (shape[i] != 1) {
                return null;
            }
        }
        double[] values = c.toDoubleArray();
        double[] out2 = new double[channels];
        for (int o = 0; o < channels; o++) {
            out2[o] = alongChannels ? values[o] : values[0];
        }
        return out2;
    }

    private static void fold(Graph graph, GraphEditor editor, Node.Call layer, int channels, List<Step> chain) {
        double[] scale = new double[channels];
        double[] shift = new double[channels];
        java.util.Arrays.fill(scale, 1);
        for (Step s : chain) {
            for (int o = 0; o < channels; o++) {
                double c = s.perChannel()[o];
                if (s.kind() == null) {
                    scale[o] *= c;
                    shift[o] = shift[o] * c + s.shift()[o];
                    continue;
                }
                switch (s.kind()) {
                    case ADD -> shift[o] += c;
                    case SUB -> shift[o] -= c;
                    case MUL -> {
                        scale[o] *= c;
                        shift[o] *= c;
                    }
                    case DIV -> {
                        scale[o] /= c;
                        shift[o] /= c;
                    }
                    default -> throw new IllegalStateException(s.kind().toString());
                }
            }
        }
        Tensor weight = Patterns.constant(graph, layer.input(1));
        boolean hasBias = layer.inputs().size() > 2;
        Tensor bias = hasBias ? Patterns.constant(graph, layer.input(2)) : null;
        DType dtype = weight.dtype();
        double[] w = weight.toDoubleArray();
        int perChannel = w.length / Math.max(channels, 1);
        for (int o = 0; o < channels; o++) {
            for (int i = 0; i < perChannel; i++) {
                w[o * perChannel + i] *= scale[o];
            }
        }
        double[] b = hasBias ? bias.toDoubleArray() : new double[channels];
        for (int o = 0; o < channels; o++) {
            b[o] = b[o] * scale[o] + shift[o];
        }
        Value newWeight = replace(graph, editor, layer.input(1), Tensor.of(w).reshape(weight.shape()).to(dtype));
        Tensor newBiasTensor = TensorScope.escape(Tensor.of(b).to(dtype));
        Value newBias = hasBias ? replace(graph, editor, layer.input(2), newBiasTensor)
                : editor.constant(biasName(layer.scope()), newBiasTensor, Node.Role.PARAMETER, layer.scope());
        Op op = switch (layer.op()) {
            case Op.Conv2d c -> new Op.Conv2d(c.geometry(), c.groups(), true, c.activation());
            case Op.Linear l -> new Op.Linear(true, l.activation());
            default -> throw new IllegalStateException(layer.op().toString());
        };
        Value x = ((Node.Call) editor.node(layer.output())).input(0);
        editor.replaceInputs(layer.output(), x, newWeight, newBias);
        editor.replaceOp(layer.output(), op, layer.output().type());
        editor.replaceAllUses(chain.get(chain.size() - 1).call().output(), layer.output());
        for (Step s : chain) {
            editor.remove(s.call().output());
        }
    }

    /** A new stored tensor for {@code old}: replaced in place when nothing else reads it, else a new constant. */
    private static Value replace(Graph graph, GraphEditor editor, Value old, Tensor value) {
        TensorScope.escape(value);
        Node.Constant c = graph.constant(old);
        if (graph.useCount(old) == 1) {
            return editor.replaceConstant(old, value);
        }
        return editor.constant(old.name(), value, c.role(), c.scope());
    }

    private static String biasName(Scope scope) {
        return scope.path().isEmpty() ? "bias" : scope.path() + ".bias";
    }
}
