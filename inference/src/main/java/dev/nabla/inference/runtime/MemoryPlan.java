package dev.nabla.inference.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Places buffers in one arena by their lifetimes: a buffer lives from the step that writes it to the last step that
 * reads it (or a view of it), and two buffers may share arena space only if their lifetimes do not overlap. Greedy
 * first fit in execution order: each new buffer takes the lowest offset where it fits between the buffers still
 * alive. A buffer that a step reads is alive during that step, so no step's output overlaps its inputs.
 */
final class MemoryPlan {
    /** A buffer to place: {@code size} elements, written at step {@code first}, last read at step {@code last}. */
    record Request(int id, long size, int first, int last) {
    }

    /** Where each request's buffer starts in the arena, and the arena's size. */
    record Placement(long[] offsets, long arenaSize) {
    }

    private MemoryPlan() {
    }

    static Placement place(List<Request> requests, int ids) {
        long[] offsets = new long[ids];
        List<Request> byStart = new ArrayList<>(requests);
        byStart.sort(Comparator.comparingInt(Request::first).thenComparingInt(Request::id));
        List<Request> live = new ArrayList<>();
        long arena = 0;
        for (Request r : byStart) {
            live.removeIf(l -> l.last() < r.first());
            live.sort(Comparator.comparingLong(l -> offsets[l.id()]));
            long at = 0;
            for (Request l : live) {
                if (offsets[l.id()] - at >= r.size()) {
                    break;
                }
                at = Math.max(at, offsets[l.id()] + l.size());
            }
            offsets[r.id()] = at;
            arena = Math.max(arena, at + r.size());
            live.add(r);
        }
        return new Placement(offsets, arena);
    }
}
