package dev.nabla;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Frees the tensors created inside it when it closes, except those passed to {@link #keep}:
 * <pre>{@code
 * try (var scope = TensorScope.open()) {
 *     Tensor loss = model.forward(x).sub(y).pow(2).mean();
 *     loss.backward();
 *     return scope.keep(loss.detach());
 * }
 * }</pre>
 * Scopes nest per thread; a kept tensor moves to the enclosing scope, if any. Gradients written
 * into leaf tensors by {@code backward()} belong to the leaf, not to the scope.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> tensors = new ArrayList<>();
    private final TensorScope parent;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    public static TensorScope open() {
        ArrayDeque<TensorScope> stack = STACK.get();
        TensorScope scope = new TensorScope(stack.peek());
        stack.push(scope);
        return scope;
    }

    /** Keeps {@code tensor} alive past this scope: it moves to the enclosing scope, or to no scope. */
    public Tensor keep(Tensor tensor) {
        if (tensor.scope == this) {
            tensor.scope = parent;
            if (parent != null) {
                parent.tensors.add(tensor);
            }
        }
        return tensor;
    }

    /** Keeps every tensor of {@code tensors}; see {@link #keep(Tensor)}. */
    public void keepAll(Iterable<Tensor> tensors) {
        for (Tensor t : tensors) {
            keep(t);
        }
    }

    /** Number of tensors this scope will free when it closes. */
    public int size() {
        int n = 0;
        for (Tensor t : tensors) {
            if (t.scope == this && !t.isClosed()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a TensorScope must be closed on the thread that opened it");
        }
        ArrayDeque<TensorScope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("TensorScopes must be closed in reverse order of opening");
        }
        stack.pop();
        closed = true;
        for (Tensor t : tensors) {
            if (t.scope == this) {
                t.scope = null;
                t.close();
            }
        }
        tensors.clear();
    }

    /** Called for every new tensor: puts it under the innermost open scope of this thread. */
    static void track(Tensor tensor) {
        TensorScope scope = STACK.get().peek();
        if (scope != null) {
            tensor.scope = scope;
            scope.tensors.add(tensor);
        }
    }

    /**
     * Takes {@code tensor} out of whatever scope holds it: the caller now owns it (optimizer state,
     * module parameters and buffers, gradients written into leaves). Returns the tensor.
     */
    public static Tensor escape(Tensor tensor) {
        tensor.scope = null;
        return tensor;
    }
}
