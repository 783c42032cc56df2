package dev.nabla.data;

import dev.nabla.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Indexed examples. Implement {@link #size()} and {@link #get(int)}; override {@link #batch(int[])}
 * when a whole batch can be gathered faster than example by example.
 */
public interface Dataset {
    int size();

    Sample get(int index);

    /** The examples at {@code indices}, stacked. */
    default Batch batch(int[] indices) {
        List<Tensor> inputs = new ArrayList<>(indices.length);
        List<Tensor> targets = new ArrayList<>(indices.length);
        for (int i : indices) {
            Sample s = get(i);
            inputs.add(s.input());
            targets.add(s.target());
        }
        return new Batch(Tensor.stack(inputs, 0), Tensor.stack(targets, 0));
    }

    /** The first {@code count} examples (a view, nothing copied). */
    default Dataset head(int count) {
        Dataset base = this;
        int n = Math.min(count, size());
        return new Dataset() {
            public int size() {
                return n;
            }

            public Sample get(int index) {
                if (index < 0 || index >= n) {
                    throw new IndexOutOfBoundsException("dataset index " + index + " out of range [0, " + n + ")");
                }
                return base.get(index);
            }

            public Batch batch(int[] indices) {
                for (int i : indices) {
                    if (i < 0 || i >= n) {
                        throw new IndexOutOfBoundsException("dataset index " + i + " out of range [0, " + n + ")");
                    }
                }
                return base.batch(indices);
            }
        };
    }
}
