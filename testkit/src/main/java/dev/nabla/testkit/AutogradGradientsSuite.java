package dev.nabla.testkit;

import dev.nabla.AutogradException;
import dev.nabla.DType;
import dev.nabla.Gradients;
import dev.nabla.ShapeException;
import dev.nabla.Tensor;
import dev.nabla.nn.Functional;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Gradients}: several outputs in one pass ({@code torch.autograd.backward}) and gradients of chosen
 * inputs without touching {@code .grad} ({@code torch.autograd.grad}), against hand-computed values and
 * finite differences.
 */
public abstract class AutogradGradientsSuite extends BackendTestBase {

    private static Tensor leaf(double... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    @Test
    void gradReturnsTheGradientsOfChosenInputsAndLeavesTheirGradUntouched() {
        Tensor x = leaf(1, 2, 3);
        Tensor w = leaf(0.5, -1, 2);
        x.setGrad(Tensor.of(new double[]{7, 7, 7}));
        Tensor y = x.mul(w).sum().add(x.square().sum());
        List<Tensor> g = Gradients.grad(List.of(y), List.of(x, w));
        assertValues(g.get(0), 2.5, 3, 8); // w + 2x
        assertValues(g.get(1), 1, 2, 3);   // x
        assertValues(x.grad(), 7, 7, 7);
        assertNull(w.grad());
        assertFalse(g.get(0).requiresGrad(), "without createGraph the gradients are plain tensors");
    }

    @Test
    void theGradientsOfSeveralOutputsSum() {
        Tensor x = leaf(1, 2, 3);
        Tensor v = Tensor.of(new double[]{1, 0, 2});
        // d/dx [sum(2x) + v . x^2] = 2 + 2 v x
        List<Tensor> g = Gradients.grad(List.of(x.mul(2).sum(), x.square()), List.of(x), Arrays.asList(null, v));
        assertValues(g.get(0), 4, 2, 14);
        Gradients.backward(List.of(x.mul(2).sum(), x.square()), Arrays.asList(null, v));
        assertValues(x.grad(), 4, 2, 14);
    }

    @Test
    void outputsSharingAGraphGoThroughItOnce() {
        Tensor x = leaf(0.5, -1);
        Tensor z = x.exp();
        // without retainGraph, two separate backward passes would fail on the shared exp node
        Gradients.backward(List.of(z.sum(), z.mul(z).sum()), null);
        double[] xs = {0.5, -1};
        assertValuesWithin(x.grad(), 1e-12, 1e-12, Math.exp(xs[0]) + 2 * Math.exp(2 * xs[0]),
                Math.exp(xs[1]) + 2 * Math.exp(2 * xs[1]));
        // an output that is an input of another output: its seed adds to what flows back into it
        Tensor a = leaf(2);
        Tensor h = a.mul(3);
        List<Tensor> g = Gradients.grad(List.of(h, h.square()), List.of(a), Arrays.asList(null, null));
        assertValues(g.get(0), 3 + 2 * 6 * 3);
    }

    @Test
    void gradWithRespectToIntermediateTensorsAndLeafOutputs() {
        Tensor x = leaf(1, -2);
        Tensor h = x.mul(3);
        Tensor y = h.square().sum();
        List<Tensor> g = Gradients.grad(List.of(y), List.of(h, x, h));
        assertValues(g.get(0), 6, -12);  // 2h
        assertValues(g.get(1), 18, -36); // 2h * 3
        assertValues(g.get(2), 6, -12);  // listed twice, same gradient
        assertNull(h.grad());
        assertNull(x.grad());

        // a leaf output: its gradient is the grad output, copied
        Tensor v = Tensor.of(new double[]{4, 5});
        List<Tensor> self = Gradients.grad(List.of(x), List.of(x), List.of(v));
        v.zeroInPlace();
        assertValues(self.get(0), 4, 5);
        assertNull(x.grad());
    }

    @Test
    void theGradientOfAReluOutputUnderAMaxPoolingIsItsOwn() {
        // Backward fuses the pooling's and the ReLU's gradients into the gradient of the ReLU's input; grad must
        // still see the ReLU output's own. They differ in the last 2x2 window, all negative: its ReLU outputs
        // tie at 0, the pooling's gradient (4) goes to one of them, and none of it passes the ReLU.
        double[] v = {1, -2, 3, 0.5, -1, -3, 2, 4, 0.25, -0.5, -4, -1, 5, 1.5, -2.5, -0.75};
        Tensor x = Tensor.of(v, 1, 1, 4, 4).to(DType.FLOAT32).requiresGrad(true); // the fused pass is FLOAT32
        Tensor r = x.relu();
        // weighted, so that the pooled gradient is contiguous and backward takes the fused pass
        Tensor y = Functional.maxPool2d(r, 2, 2, 0).mul(Tensor.of(new float[]{1, 2, 3, 4}, 1, 1, 2, 2)).sum();
        List<Tensor> g = Gradients.grad(List.of(y), List.of(r, x), null, Gradients.Options.DEFAULT.withRetainGraph());
        double[] dr = g.get(0).toDoubleArray();
        // the other windows' unique positive maxima sit at 0, 7 and 12
        double[] dx = new double[16];
        dx[0] = 1;
        dx[7] = 2;
        dx[12] = 3;
        assertEquals(4, dr[10] + dr[11] + dr[14] + dr[15], "the pooling's gradient in the all-negative window");
        dr[10] = dr[11] = dr[14] = dr[15] = 0;
        assertClose(dx, dr, 0, 0, "the ReLU output's gradient");
        assertValues(g.get(1), dx);
        y.backward();
        assertValues(x.grad(), dx);
    }

    @Test
    void unusedInputsFailUnlessAllowedThenGetNull() {
        Tensor x = leaf(1, 2);
        Tensor unused = leaf(3);
        AutogradException e = assertThrows(AutogradException.class,
                () -> Gradients.grad(List.of(x.square().sum()), List.of(x, unused)));
        assertMessage(e, "grad", "input 1", "[1]", "not used", "withAllowUnused");
        List<Tensor> g = Gradients.grad(List.of(x.square().sum()), List.of(x, unused), null,
                Gradients.Options.DEFAULT.withAllowUnused());
        assertValues(g.get(0), 2, 4);
        assertNull(g.get(1));
    }

    @Test
    void misuseIsReportedWithTheOutputOrInputAtFault() {
        Tensor x = leaf(1, 2);
        AutogradException noGrad = assertThrows(AutogradException.class,
                () -> Gradients.grad(List.of(x.sum(), Tensor.ones(2).sum()), List.of(x)));
        assertMessage(noGrad, "grad", "output 1", "does not require grad");
        AutogradException implied = assertThrows(AutogradException.class,
                () -> Gradients.grad(List.of(x.mul(2)), List.of(x)));
        assertMessage(implied, "grad", "one-element", "output 0", "[2]");
        ShapeException shape = assertThrows(ShapeException.class,
                () -> Gradients.grad(List.of(x.mul(2)), List.of(x), List.of(Tensor.ones(3))));
        assertMessage(shape, "grad", "grad output 0", "[2]", "[3]");
        AutogradException count = assertThrows(AutogradException.class,
                () -> Gradients.backward(List.of(x.sum()), List.of(Tensor.ones(1), Tensor.ones(1))));
        assertMessage(count, "backward", "one grad output per output", "2");
        AutogradException input = assertThrows(AutogradException.class,
                () -> Gradients.grad(List.of(x.sum()), List.of(Tensor.ones(2))));
        assertMessage(input, "grad", "input 0", "does not require grad");
        AutogradException backwardNoGrad = assertThrows(AutogradException.class,
                () -> Gradients.backward(List.of(Tensor.ones(1)), null));
        assertMessage(backwardNoGrad, "backward", "output 0");
    }

    @Test
    void theGraphIsFreedUnlessRetained() {
        Tensor x = leaf(0.5);
        Tensor y = x.exp().sum();
        Gradients.grad(List.of(y), List.of(x), null, Gradients.Options.DEFAULT.withRetainGraph());
        assertValuesWithin(Gradients.grad(List.of(y), List.of(x)).get(0), 1e-12, 1e-12, Math.exp(0.5));
        AutogradException e = assertThrows(AutogradException.class, () -> Gradients.grad(List.of(y), List.of(x)));
        assertMessage(e, "retainGraph");
    }

    @Test
    void gradMatchesFiniteDifferences() {
        double[] x0 = NnReference.random(80, 6, -1, 1);
        double[] w0 = NnReference.random(81, 6, -1, 1);
        double[] v = NnReference.random(82, 4, -1, 1);
        Function<Tensor[], Tensor> f = in -> in[0].matmul(in[1]).tanh(); // [2, 3] @ [3, 2]
        Tensor x = NnReference.f64(x0, 2, 3).requiresGrad(true);
        Tensor w = NnReference.f64(w0, 3, 2).requiresGrad(true);
        Tensor out = f.apply(new Tensor[]{x, w});
        List<Tensor> g = Gradients.grad(List.of(out), List.of(x, w), List.of(NnReference.f64(v, 2, 2)));
        double[][] values = {x0, w0};
        int[][] shapes = {{2, 3}, {3, 2}};
        for (int which = 0; which < 2; which++) {
            double[] numeric = new double[6];
            for (int k = 0; k < 6; k++) {
                double[] plus = values[which].clone();
                double[] minus = values[which].clone();
                plus[k] += 1e-6;
                minus[k] -= 1e-6;
                numeric[k] = (weightedSum(f, values, shapes, which, plus, v)
                        - weightedSum(f, values, shapes, which, minus, v)) / 2e-6;
            }
            assertClose(numeric, g.get(which).toDoubleArray(), 1e-6, 1e-7, "gradient of input " + which);
        }
    }

    /** {@code sum(v * f(inputs))} with input {@code which} replaced by {@code changed}, without autograd. */
    private static double weightedSum(Function<Tensor[], Tensor> f, double[][] values, int[][] shapes, int which,
                                      double[] changed, double[] v) {
        Tensor[] in = new Tensor[values.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = NnReference.f64(i == which ? changed : values[i], shapes[i]);
        }
        double[] y = f.apply(in).toDoubleArray();
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += v[i] * y[i];
        }
        return s;
    }

    @Test
    void createGraphGivesSecondOrderGradients() {
        Tensor x = leaf(1, 2, 3);
        Tensor w = leaf(2);
        Tensor y = x.mul(x).mul(x).mul(w).sum(); // w * sum(x^3)
        List<Tensor> first = Gradients.grad(List.of(y), List.of(x), null, Gradients.Options.DEFAULT.withCreateGraph());
        assertValues(first.get(0), 6, 24, 54); // 3 w x^2
        assertTrue(first.get(0).requiresGrad(), "with createGraph the gradient is differentiable");
        // d/dx sum(3 w x^2) = 6 w x, d/dw sum(3 w x^2) = 3 sum(x^2)
        List<Tensor> second = Gradients.grad(List.of(first.get(0).sum()), List.of(x, w));
        assertValues(second.get(0), 12, 24, 36);
        assertValues(second.get(1), 42);
        assertNull(x.grad());
        assertNull(w.grad());

        // Gradients.backward with createGraph: a gradient penalty, differentiated through backward
        Tensor a = leaf(1, -2);
        Gradients.backward(List.of(a.mul(a).mul(a).sum()), null, false, true);
        Tensor penalty = a.grad().square().sum(); // sum(9 a^4)
        List<Tensor> dPenalty = Gradients.grad(List.of(penalty), List.of(a));
        assertValues(dPenalty.get(0), 36, -288); // 36 a^3
    }

    @Test
    void aGradOutputIsConvertedToTheOutputsDtypeAndNotModified() {
        Tensor x = leaf(1, 2);
        Tensor v = Tensor.of(new float[]{3, 4});
        List<Tensor> g = Gradients.grad(List.of(x.mul(2)), List.of(x), List.of(v));
        assertValues(g.get(0), 6, 8);
        assertEquals(x.dtype(), g.get(0).dtype());
        assertValues(v, 3, 4);
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }
}
