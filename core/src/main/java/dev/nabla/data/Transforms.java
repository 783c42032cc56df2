package dev.nabla.data;

import dev.nabla.DType;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.ops.Shapes;

import java.util.ArrayList;
import java.util.List;

/** Common transforms of image batches [N, C, H, W]. */
public final class Transforms {
    private Transforms() {
    }

    /** Applies the transforms in order. */
    public static Transform compose(Transform... transforms) {
        return (batch, random) -> {
            Tensor x = batch;
            for (Transform t : transforms) {
                x = t.apply(x, random);
            }
            return x;
        };
    }

    /** {@code (x - mean[c]) / std[c]} per channel (dimension 1); one value applies to all channels. */
    public static Transform normalize(double[] mean, double[] std) {
        return (batch, random) -> {
            int channels = batch.rank() > 1 ? batch.size(1) : 1;
            double[] m = perChannel("normalize", mean, channels);
            double[] s = perChannel("normalize", std, channels);
            int[] shape = new int[batch.rank()];
            java.util.Arrays.fill(shape, 1);
            if (batch.rank() > 1) {
                shape[1] = channels;
            }
            Tensor meanT = Tensor.of(m).reshape(shape).to(batch.device()).to(batch.dtype());
            Tensor stdT = Tensor.of(s).reshape(shape).to(batch.device()).to(batch.dtype());
            return batch.sub(meanT).div(stdT);
        };
    }

    private static double[] perChannel(String op, double[] values, int channels) {
        if (values.length == channels) {
            return values;
        }
        if (values.length == 1) {
            double[] out = new double[channels];
            java.util.Arrays.fill(out, values[0]);
            return out;
        }
        throw new ShapeException(op + ": " + values.length + " values given for " + channels + " channels");
    }

    /** Mirrors each image left-right with probability {@code p}. */
    public static Transform randomHorizontalFlip(double p) {
        return (batch, random) -> {
            checkImages("randomHorizontalFlip", batch);
            int n = batch.size(0), w = batch.size(3);
            boolean[] flip = new boolean[n];
            for (int i = 0; i < n; i++) {
                flip[i] = random.nextDouble() < p;
            }
            Tensor reversed = Tensor.arange(w - 1, -1, -1).to(batch.device());
            Tensor flipped = batch.indexSelect(3, reversed);
            Tensor mask = Tensor.of(flip).reshape(n, 1, 1, 1).to(batch.device());
            return Tensor.where(mask, flipped, batch);
        };
    }

    /**
     * Pads each image by {@code padding} zeros on every side and crops a random {@code H x W} window
     * back out (the usual CIFAR/Fashion-MNIST augmentation).
     */
    public static Transform randomCrop(int padding) {
        return (batch, random) -> {
            checkImages("randomCrop", batch);
            int n = batch.size(0), h = batch.size(2), w = batch.size(3);
            Tensor padded = batch.pad(new int[]{padding, padding, padding, padding}, 0);
            List<Tensor> crops = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int top = (int) random.nextLong(2L * padding + 1);
                int left = (int) random.nextLong(2L * padding + 1);
                crops.add(padded.select(0, i).narrow(1, top, h).narrow(2, left, w));
            }
            return Tensor.stack(crops, 0);
        };
    }

    /** Converts bytes 0..255 (any integer dtype) to floats in [0, 1]. */
    public static Transform toUnitFloat() {
        return (batch, random) -> batch.to(DType.FLOAT32).div(255.0);
    }

    private static void checkImages(String op, Tensor batch) {
        if (batch.rank() != 4) {
            throw new ShapeException(op + ": expected image batches [N, C, H, W], found " + Shapes.str(batch.shape()));
        }
    }
}
