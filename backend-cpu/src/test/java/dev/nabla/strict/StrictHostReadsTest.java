package dev.nabla.strict;

import dev.nabla.Tensor;
import dev.nabla.optim.GradientClipping;
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
}
