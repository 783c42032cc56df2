package dev.nabla.testkit;

import dev.nabla.AutogradException;
import dev.nabla.DType;
import dev.nabla.DTypeException;
import dev.nabla.Device;
import dev.nabla.DeviceException;
import dev.nabla.Nabla;
import dev.nabla.NablaException;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Misuse fails early with a typed exception whose message names the op and what it found. */
public abstract class ErrorSuite extends BackendTestBase {

    /** Asserts that {@code call} throws {@code type} with a message containing every fragment. */
    private static <T extends Throwable> T assertError(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String message = e.getMessage();
        for (String f : fragments) {
            assertTrue(message != null && message.contains(f), "message should contain '" + f + "': " + message);
        }
        return e;
    }

    @Test
    void broadcastingFailuresNameOpAndShapes() {
        Tensor a = Tensor.ones(2, 3);
        Tensor b = Tensor.ones(4);
        assertError(ShapeException.class, () -> a.add(b), "add", "[2, 3]", "[4]");
        assertError(ShapeException.class, () -> a.mul(Tensor.ones(3, 3)), "mul", "[2, 3]", "[3, 3]");
        assertError(ShapeException.class, () -> a.maximum(b), "maximum");
        assertError(ShapeException.class, () -> a.lt(b), "lt");
        assertError(ShapeException.class, () -> Tensor.where(bools(true, false), a, a), "where", "[2]", "[2, 3]");
        assertError(ShapeException.class, () -> a.copyFrom(b), "copyFrom", "[4]", "[2, 3]");
        assertError(ShapeException.class, () -> a.addInPlace(Tensor.ones(2)), "[2]", "[2, 3]");
        assertError(ShapeException.class, () -> f32(1, 2, 3).expand(2, 4), "expand", "[3]", "[2, 4]");
    }

    @Test
    void badDimensionsNameTheRange() {
        Tensor m = Tensor.ones(2, 3);
        assertError(ShapeException.class, () -> m.sum(2), "sum", "2", "rank 2");
        assertError(ShapeException.class, () -> m.sum(-3), "sum", "-3");
        assertError(ShapeException.class, () -> m.softmax(2), "softmax");
        assertError(ShapeException.class, () -> m.argmax(5, false), "argmax");
        assertError(ShapeException.class, () -> m.transpose(0, 2), "transpose");
        assertError(ShapeException.class, () -> m.permute(0), "permute");
        assertError(ShapeException.class, () -> m.permute(1, 1), "permute", "repeats");
        assertError(ShapeException.class, () -> m.squeeze(2), "squeeze");
        assertError(ShapeException.class, () -> m.unsqueeze(3), "unsqueeze");
        assertError(ShapeException.class, () -> m.select(0, 2), "select", "2");
        assertError(ShapeException.class, () -> m.narrow(1, 2, 2), "narrow");
        assertError(ShapeException.class, () -> m.var(new int[]{1, -1}, 1, false), "var", "more than once");
        assertError(ShapeException.class, () -> Tensor.cat(2, m, m), "cat");
        assertError(ShapeException.class, () -> m.flatten(1, 0), "flatten");
        assertError(ShapeException.class, () -> m.size(2), "size");
        assertError(ShapeException.class, () -> m.t().t().permute(0, 1, 2), "permute");
    }

    @Test
    void reshapeAndViewFailures() {
        Tensor m = iota(2, 3);
        assertError(ShapeException.class, () -> m.reshape(4, 2), "reshape", "[4, 2]", "6");
        assertError(ShapeException.class, () -> m.reshape(-1, -1), "reshape", "-1");
        assertError(ShapeException.class, () -> m.reshape(4, -1), "reshape");
        assertError(ShapeException.class, () -> m.view(-2, 3), "view");
        assertError(ShapeException.class, () -> m.t().view(6), "view", "[3, 2]", "contiguous");
        assertError(ShapeException.class, () -> m.t().flatten().view(2, 4), "view");
    }

    @Test
    void dtypeMisuse() {
        assertError(DTypeException.class, () -> i64(1).requiresGrad(true), "requiresGrad", "INT64");
        assertError(DTypeException.class, () -> bools(true).requiresGrad(true), "requiresGrad", "BOOL");
        assertError(DTypeException.class, () -> f32(1, 2).gather(0, f32(0)), "gather", "FLOAT32");
        assertError(DTypeException.class, () -> f32(1, 2).indexSelect(0, f32(0)), "indexSelect");
        assertError(DTypeException.class, () -> Tensor.zeros(2).scatterAdd(0, f32(0), f32(1)), "scatterAdd");
        assertError(DTypeException.class, () -> bools(true).matmul(bools(true)), "matmul", "BOOL");
        assertError(DTypeException.class, () -> bools(true).neg(), "neg", "BOOL");
        assertError(DTypeException.class, () -> i64(1, 2).addInPlace(f32(0.5f, 0.5f)), "INT64", "FLOAT32");
        assertError(DTypeException.class, () -> f32(1).oneHot(2), "oneHot");
    }

    @Test
    void itemNeedsOneElement() {
        assertError(ShapeException.class, () -> Tensor.ones(2).item(), "item", "[2]");
        assertError(ShapeException.class, () -> Tensor.ones(2, 2).itemLong(), "itemLong", "[2, 2]");
    }

    @Test
    void closedTensorsSaySo() {
        Tensor t = Tensor.ones(2, 3);
        t.close();
        assertError(IllegalStateException.class, () -> t.exp(), "closed", "[2, 3]");
        assertError(IllegalStateException.class, t::toDoubleArray, "closed");
    }

    @Test
    void joiningFailures() {
        assertError(ShapeException.class, () -> Tensor.cat(0, Tensor.ones(2, 3), Tensor.ones(2, 4)), "cat", "[2, 4]", "[2, 3]");
        assertError(ShapeException.class, () -> Tensor.cat(0, Tensor.ones(2, 3), Tensor.ones(3)), "cat");
        assertError(ShapeException.class, () -> Tensor.cat(0, Tensor.scalar(1)), "cat", "zero-dimensional");
        assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of(), 0));
        assertError(ShapeException.class, () -> Tensor.stack(List.of(Tensor.ones(2), Tensor.ones(3)), 0), "stack", "[3]", "[2]");
        assertError(ShapeException.class, () -> Tensor.ones(5).split(new int[]{2, 2}, 0), "split", "5");
        assertError(ShapeException.class, () -> Tensor.ones(2).pad(1), "pad");
        assertError(ShapeException.class, () -> Tensor.ones(2).pad(1, 1, 1, 1), "pad");
        assertError(ShapeException.class, () -> Tensor.ones(2).pad(-2, -1), "pad", "negative");
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(4).chunk(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(4).split(0, 0));
    }

    @Test
    void indexingShapeFailures() {
        Tensor src = Tensor.ones(2, 3);
        assertError(ShapeException.class, () -> src.gather(1, i64(0, 1)), "gather", "rank");
        assertError(ShapeException.class, () -> src.gather(1, Tensor.zeros(DType.INT64, 3, 1)), "gather", "[3, 1]");
        assertError(ShapeException.class, () -> src.indexSelect(0, Tensor.zeros(DType.INT64, 1, 1)), "indexSelect");
        assertError(ShapeException.class, () -> src.scatterAdd(1, Tensor.zeros(DType.INT64, 2, 2), Tensor.ones(2, 1)),
                "scatterAdd", "src");
    }

    @Test
    void autogradMisuse() {
        Tensor x = f64(1, 2).requiresGrad(true);
        assertError(AutogradException.class, () -> x.mul(2).backward(), "backward", "[2]");
        assertError(AutogradException.class, () -> f64(1).backward(), "backward", "require");
        assertError(ShapeException.class, () -> x.mul(2).backward(f64(1)), "backward", "[1]", "[2]");
        assertError(ShapeException.class, () -> x.setGrad(f64(1, 2, 3)), "setGrad", "[3]", "[2]");
        assertError(AutogradException.class, () -> x.fillInPlace(0), "fill", "noGrad");
    }

    @Test
    void expandedDestinationsCannotBeWritten() {
        Tensor e = f32(1, 2).expand(3, 2);
        assertError(ShapeException.class, () -> e.fillInPlace(0), "expanded");
        assertError(ShapeException.class, () -> e.addInPlace(Tensor.ones(3, 2)), "expanded");
    }

    @Test
    void invalidArguments() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).slice(0, 0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.ones(3).clamp(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.randint(2, 1, 3));
        assertError(ShapeException.class, () -> Tensor.zeros(-1), "-1");
        assertError(ShapeException.class, () -> Tensor.of(new float[]{1, 2}, 3), "of", "[3]");
    }

    @Test
    void unknownDevicesNameTheReason() {
        Device tpu = new Device("tpu", 0);
        DeviceException e = assertError(DeviceException.class, () -> Nabla.setDefaultDevice(tpu), "tpu");
        assertTrue(e.getMessage().contains("no backend") || e.getMessage().contains("not available"), e.getMessage());
        assertEquals(device(), Nabla.defaultDevice(), "a failed setDefaultDevice changes nothing");
        assertError(DeviceException.class, () -> Tensor.full(tpu, DType.FLOAT32, 0, 2), "tpu");
        assertError(DeviceException.class, () -> Tensor.ones(2).to(tpu), "tpu");
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
    }

    @Test
    void everyLibraryErrorIsANablaException() {
        List<Executable> calls = List.of(
                () -> Tensor.ones(2).add(Tensor.ones(3)),
                () -> i64(1).requiresGrad(true),
                () -> f64(1).backward(),
                () -> Nabla.setDefaultDevice(new Device("nope", 0)));
        for (Executable call : calls) {
            assertThrows(NablaException.class, call);
        }
        assertTrue(RuntimeException.class.isAssignableFrom(NablaException.class), "unchecked");
    }
}
