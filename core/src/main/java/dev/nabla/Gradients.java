package dev.nabla;

import dev.nabla.engine.Autograd;
import dev.nabla.engine.CapturedGradients;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Gradients of several outputs at once, PyTorch's {@code torch.autograd.backward} and
 * {@code torch.autograd.grad}:
 * <pre>{@code
 * Gradients.backward(List.of(loss1, loss2), null);            // like loss1.add(loss2).backward()
 * List<Tensor> g = Gradients.grad(List.of(loss), List.of(w)); // dloss/dw, w.grad() untouched
 * }</pre>
 * {@code gradOutputs} holds one gradient per output, of its shape; it may be null, or hold nulls, for
 * one-element outputs, whose gradient is then 1. The outputs share one pass through their joint graph,
 * so their gradients sum where the graphs meet.
 */
public final class Gradients {
    private Gradients() {
    }

    /**
     * What {@link #grad} does besides computing the gradients. {@code retainGraph} keeps the graph for
     * another pass; {@code createGraph} records the gradient computation so that it can be differentiated
     * again (and keeps the graph); {@code allowUnused} returns null for an input the outputs do not depend
     * on instead of failing.
     */
    public record Options(boolean retainGraph, boolean createGraph, boolean allowUnused) {
        public static final Options DEFAULT = new Options(false, false, false);

        public Options withRetainGraph() {
            return new Options(true, createGraph, allowUnused);
        }

        public Options withCreateGraph() {
            return new Options(retainGraph, true, allowUnused);
        }

        public Options withAllowUnused() {
            return new Options(retainGraph, createGraph, true);
        }
    }

    /** Adds the gradients of all {@code outputs} into the {@code .grad} of the leaves they depend on. */
    public static void backward(List<Tensor> outputs, List<Tensor> gradOutputs) {
        backward(outputs, gradOutputs, false, false);
    }

    /** {@link #backward(List, List)} with {@link Tensor#backward(Tensor, boolean, boolean)}'s flags. */
    public static void backward(List<Tensor> outputs, List<Tensor> gradOutputs, boolean retainGraph,
                                boolean createGraph) {
        List<Tensor> seeds = seeds("backward", outputs, gradOutputs);
        // As in PyTorch, differentiating the gradients again needs the forward graph too.
        Autograd.run(outputs, seeds, retainGraph || createGraph, createGraph, null);
    }

    /** The gradients of the one-element {@code outputs} with respect to {@code inputs}. */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs) {
        return grad(outputs, inputs, null, Options.DEFAULT);
    }

    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs) {
        return grad(outputs, inputs, gradOutputs, Options.DEFAULT);
    }

    /**
     * The sum over {@code outputs} of their vector-Jacobian products with {@code gradOutputs}, with respect
     * to each of {@code inputs} (leaves or intermediate tensors), in the order of {@code inputs}. No
     * {@code .grad} is read or written. An input none of the outputs depends on fails, or with
     * {@link Options#allowUnused()} gets null.
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
                                    Options options) {
        List<Tensor> seeds = seeds("grad", outputs, gradOutputs);
        if (inputs.isEmpty()) {
            throw new AutogradException("grad: no inputs given");
        }
        for (int i = 0; i < inputs.size(); i++) {
            Tensor input = inputs.get(i);
            input.checkOpen();
            if (!input.requiresGrad()) {
                throw new AutogradException("grad: input " + i + " " + Shapes.str(input.shape())
                        + " does not require grad, so no gradient can be computed for it");
            }
        }
        CapturedGradients captured = new CapturedGradients(inputs, options.createGraph());
        Autograd.run(outputs, seeds, options.retainGraph() || options.createGraph(), options.createGraph(),
                captured);
        Tensor[] result = new Tensor[inputs.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = captured.get(i);
            if (result[i] == null && !options.allowUnused()) {
                throw new AutogradException("grad: input " + i + " " + Shapes.str(inputs.get(i).shape())
                        + " was not used to compute the outputs; pass Options.withAllowUnused() to get null for it");
            }
        }
        return Arrays.asList(result);
    }

    /** One checked seed gradient per output, in its dtype. */
    private static List<Tensor> seeds(String op, List<Tensor> outputs, List<Tensor> gradOutputs) {
        if (outputs.isEmpty()) {
            throw new AutogradException(op + ": no outputs given");
        }
        if (gradOutputs != null && gradOutputs.size() != outputs.size()) {
            throw new AutogradException(op + ": expected one grad output per output (" + outputs.size()
                    + "), found " + gradOutputs.size());
        }
        List<Tensor> seeds = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            Tensor output = outputs.get(i);
            output.checkOpen();
            if (!output.requiresGrad()) {
                throw new AutogradException(op + ": output " + i + " " + Shapes.str(output.shape())
                        + " does not require grad (no input of its computation had requiresGrad(true), or it ran"
                        + " under noGrad)");
            }
            Tensor g = gradOutputs == null ? null : gradOutputs.get(i);
            if (g == null) {
                if (output.numel() != 1) {
                    throw new AutogradException(op + ": a gradient can only be implied for a one-element output,"
                            + " found output " + i + " of shape " + Shapes.str(output.shape())
                            + "; pass its grad output");
                }
                seeds.add(Tensor.onesLike(output));
            } else {
                if (!Arrays.equals(g.shape(), output.shape())) {
                    throw new ShapeException(op + ": expected grad output " + i + " of the shape of output " + i
                            + " " + Shapes.str(output.shape()) + ", found " + Shapes.str(g.shape()));
                }
                seeds.add(g.to(output.dtype()));
            }
        }
        return seeds;
    }
}
