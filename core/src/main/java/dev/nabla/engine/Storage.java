package dev.nabla.engine;

import dev.nabla.DType;
import dev.nabla.Tensor;
import dev.nabla.spi.Backend;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend buffer shared by a tensor and its views, freed when the last of them lets go.
 * Each {@link Tensor} holds exactly one reference.
 *
 * <p>A <em>constant</em> storage holds one number that a Java scalar operand ({@code x.mul(2)}) brought in: it makes
 * no device memory until something asks for its {@link #buffer()}, so that an elementwise op can hand the number to
 * the backend as an attribute ({@link Backend#binaryScalar}) instead of as a one-element device tensor.
 */
public final class Storage {
    public final Backend backend;
    public final DType dtype;
    private volatile Buffer buffer;
    private final boolean isConstant;
    /** The value of a constant storage (exactly representable in {@link #dtype}); unused otherwise. */
    private final double constant;
    private final AtomicInteger references = new AtomicInteger(1);
    /** Bumped by every in-place write, so autograd can refuse gradients computed from stale values. */
    private volatile int version;

    public Storage(Backend backend, Buffer buffer) {
        this.backend = backend;
        this.buffer = buffer;
        this.dtype = buffer.dtype();
        this.isConstant = false;
        this.constant = 0;
    }

    private Storage(Backend backend, DType dtype, double value) {
        this.backend = backend;
        this.dtype = dtype;
        this.isConstant = true;
        this.constant = value;
    }

    /** A one-element constant storage of {@code value}, which must be exactly representable in {@code dtype}. */
    public static Storage constant(Backend backend, DType dtype, double value) {
        return new Storage(backend, dtype, value);
    }

    /** The backend buffer, made (and filled with the constant) on first use for a constant storage. */
    public Buffer buffer() {
        Buffer b = buffer;
        if (b != null) {
            return b;
        }
        synchronized (this) {
            if (references.get() <= 0) {
                throw new IllegalStateException("storage was already freed");
            }
            if (buffer == null) {
                Buffer made = backend.allocate(dtype, 1);
                try {
                    backend.fill(new Operand(made, Layout.contiguous()), constant);
                } catch (RuntimeException | Error e) {
                    backend.release(made);
                    throw e;
                }
                buffer = made;
            }
            return buffer;
        }
    }

    /**
     * The number of a constant storage whose buffer was never asked for (and so was never written in place), or
     * null: then the value lives in backend memory.
     */
    public Double pendingConstant() {
        return isConstant && buffer == null && references.get() > 0 ? constant : null;
    }

    public int version() {
        return version;
    }

    void bumpVersion() {
        version++;
    }

    /** Whether more than one tensor (a view, say) holds this storage. */
    boolean isShared() {
        return references.get() > 1;
    }

    public Storage retain() {
        if (references.getAndIncrement() <= 0) {
            throw new IllegalStateException("storage was already freed");
        }
        return this;
    }

    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            Buffer b;
            synchronized (this) {
                b = buffer;
                buffer = null;
            }
            if (b != null) {
                backend.release(b);
            }
        } else if (left < 0) {
            throw new IllegalStateException("storage released more often than retained");
        }
    }
}
