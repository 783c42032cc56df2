package dev.nabla.nn;

import dev.nabla.Tensor;

/**
 * Runs its children in order, each on the previous one's output; children are named "0", "1", ....
 *
 * <p>A ReLU directly followed by an unpadded {@link MaxPool2d} runs as the pooling first, then the ReLU. That is
 * the same function with the same gradient, bit for bit: ReLU is monotone, so the window maxima are the same
 * elements, and a window whose maximum is not positive gets a zero gradient either way. The ReLU then works
 * on the pooled tensor, a quarter of the data for 2x2 windows, and autograd keeps one large activation fewer.
 */
public class Sequential extends ModuleList {

    public Sequential(Module... modules) {
        super(modules);
    }

    /** Appends a module; returns this for chaining. */
    @Override
    public Sequential add(Module module) {
        super.add(module);
        return this;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < size(); i++) {
            Module m = get(i);
            if (i + 1 < size() && reluBeforePooling(m, get(i + 1))) {
                x = m.forward(get(i + 1).forward(x));
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }

    private static boolean reluBeforePooling(Module first, Module second) {
        // exact classes only: a subclass may have changed what forward does
        return first instanceof Activation a && a.isRelu()
                && second.getClass() == MaxPool2d.class && !((MaxPool2d) second).padded();
    }
}
