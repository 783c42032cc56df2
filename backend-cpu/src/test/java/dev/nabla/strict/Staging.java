package dev.nabla.strict;

import dev.nabla.cpu.CpuBackend;
import dev.nabla.spi.Buffer;
import dev.nabla.spi.Layout;
import dev.nabla.spi.Operand;

import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The heap copies one strict-backend call computes on, on the worker thread: each distinct off-heap buffer of the
 * call gets ONE temporary CPU buffer holding its whole contents, so that layouts (offsets, strides) stay valid and
 * operands that alias one buffer still alias one temporary (in-place ops). {@link #finish} copies the temporaries of
 * the outputs back off-heap and returns all temporaries to the CPU backend.
 */
final class Staging {
    private final CpuBackend cpu;
    private final Map<StrictBuffer, Buffer> temps = new IdentityHashMap<>();
    private final Set<StrictBuffer> outputs = new LinkedHashSet<>();

    Staging(CpuBackend cpu) {
        this.cpu = cpu;
    }

    /** {@code operand} as the CPU backend reads it. */
    Operand in(Operand operand) {
        return new Operand(temp((StrictBuffer) operand.buffer()), operand.layout());
    }

    /** {@code operand} as the CPU backend writes it; its buffer is copied back by {@link #finish}. */
    Operand out(Operand operand) {
        StrictBuffer buffer = (StrictBuffer) operand.buffer();
        outputs.add(buffer);
        return new Operand(temp(buffer), operand.layout());
    }

    private Buffer temp(StrictBuffer buffer) {
        return temps.computeIfAbsent(buffer, b -> cpu.fromArray(b.read(), b.dtype()));
    }

    /** Copies every output back off-heap, then frees the temporaries. */
    void finish() {
        try {
            for (StrictBuffer buffer : outputs) {
                buffer.write(cpu.toArray(new Operand(temps.get(buffer), Layout.contiguous(buffer.capacity()))));
            }
        } finally {
            temps.values().forEach(cpu::release);
        }
    }

    /** Frees the temporaries without copying anything back (the op failed). */
    void abandon() {
        temps.values().forEach(cpu::release);
    }
}
