package dev.nabla.strict;

import dev.nabla.Nabla;
import dev.nabla.Tensor;
import dev.nabla.data.DataLoader;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Activation;
import dev.nabla.nn.CrossEntropyLoss;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Module;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.optim.GradientClipping;
import dev.nabla.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Library code that must not wait for the device: no host read of device memory while it runs. */
class StrictHostReadsTest {
    @Test
    void gradientClippingComputesTheNormOnTheDevice() {
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Tensor p = Tensor.zeros(3).to(StrictBackend.DEVICE).requiresGrad(true);
            p.setGrad(Tensor.full(StrictBackend.DEVICE, p.dtype(), i + 1, 3));
            params.add(p);
        }
        long before = StrictBackend.HOST_READS.get();
        Tensor total = GradientClipping.clipGradNormTensor(params, 1.0, 2);
        assertEquals(before, StrictBackend.HOST_READS.get(), "clipGradNormTensor read device memory");
        // sqrt(3 * (1 + 4 + 9 + 16 + 25)) = sqrt(165)
        assertEquals(Math.sqrt(165), total.item(), 1e-5); // float32 gradients
        assertEquals(1.0, params.get(4).grad().norm().item() * Math.sqrt(165) / (5 * Math.sqrt(3)), 1e-5);
        assertEquals(StrictBackend.DEVICE, total.device());
    }

    @Test
    void trainingReadsTheDeviceOncePerEpochNotPerBatch() {
        long fewBatches = hostReadsOfTraining(4);
        long manyBatches = hostReadsOfTraining(12);
        assertEquals(fewBatches, manyBatches, "host reads grow with the number of batches");
    }

    /** Host reads of a 2-epoch fit (with validation and gradient clipping) over {@code batches} batches of 8. */
    private static long hostReadsOfTraining(int batches) {
        int n = 8 * batches;
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i % 3;
            x[2 * i + 1] = (i * 7) % 5;
            y[i] = i % 3;
        }
        TensorDataset data = new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y));
        Module model = new Sequential(new Linear(2, 8), Activation.relu(), new Linear(8, 3)).to(StrictBackend.DEVICE);
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 0.01), new CrossEntropyLoss(),
                        DataLoader.builder(data).batchSize(8).shuffle(true).seed(1).build())
                .validation(DataLoader.builder(data).batchSize(8).build()).clipGradNorm(1.0).epochs(2).build();
        long before = StrictBackend.HOST_READS.get();
        trainer.fit();
        return StrictBackend.HOST_READS.get() - before;
    }
}
