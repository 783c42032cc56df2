import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.nabla.Tensor;
import dev.nabla.data.IdxReader;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** The example trainers' recipe (Adam 1e-3, batch 128, shuffled full Fashion-MNIST) in PyTorch 2.7 through DJL. */
public class TorchFashion {
    public static void main(String[] args) throws Exception {
        String model = args[0];
        int epochs = Integer.parseInt(args[1]);
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        float[] images = IdxReader.toUnitFloat(IdxReader.read(dir.resolve("train-images-idx3-ubyte.gz"))).toFloatArray();
        long[] labels = IdxReader.read(dir.resolve("train-labels-idx1-ubyte.gz")).toLongArray();
        int n = labels.length, pixels = 784, batch = 128;
        float mean = 0.2860f, std = 0.3530f;
        for (int i = 0; i < images.length; i++) {
            images[i] = (images[i] - mean) / std;
        }
        SequentialBlock net = new SequentialBlock();
        Shape inputShape;
        if (model.equals("mlp")) {
            net.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(256).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(128).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build());
            inputShape = new Shape(batch, 1, 28, 28);
        } else {
            net.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(32).build())
                    .add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2)))
                    .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
                    .add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2)))
                    .add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(128).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build());
            inputShape = new Shape(batch, 1, 28, 28);
        }
        try (Model m = Model.newInstance(model, Device.cpu(), "PyTorch")) {
            m.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
                    .optDevices(new Device[]{Device.cpu()});
            try (Trainer trainer = m.newTrainer(config)) {
                trainer.initialize(inputShape);
                NDManager manager = trainer.getManager();
                Random random = new Random(42);
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                float[] xb = new float[batch * pixels];
                float[] yb = new float[batch];
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    for (int i = n - 1; i > 0; i--) {
                        int j = random.nextInt(i + 1);
                        int t = order[i]; order[i] = order[j]; order[j] = t;
                    }
                    long start = System.nanoTime();
                    double lossSum = 0;
                    int steps = 0;
                    for (int s = 0; s + batch <= n; s += batch) { // full batches: 468 steps
                        for (int b = 0; b < batch; b++) {
                            System.arraycopy(images, order[s + b] * pixels, xb, b * pixels, pixels);
                            yb[b] = labels[order[s + b]];
                        }
                        try (NDManager step = manager.newSubManager()) {
                            NDArray x = step.create(xb, new Shape(batch, 1, 28, 28));
                            NDArray y = step.create(yb, new Shape(batch));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                                NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(pred));
                                gc.backward(loss);
                                lossSum += loss.getFloat();
                            }
                            trainer.step();
                        }
                        steps++;
                    }
                    System.out.printf(Locale.ROOT, "torch %s epoch %d: %.2f s, train loss %.4f%n", model, epoch,
                            (System.nanoTime() - start) / 1e9, lossSum / steps);
                }
            }
        }
    }
}
