package dev.nabla.examples;

import dev.nabla.Nabla;
import dev.nabla.Tensor;

/** The README's first example, kept here so that a test runs it. */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) {
        Nabla.manualSeed(42);
        Tensor x = Tensor.of(new float[][]{{1, 2}, {3, 4}});        // a 2x2 batch
        Tensor w = Tensor.randn(2, 3).requiresGrad(true);           // weights
        Tensor b = Tensor.zeros(3).requiresGrad(true);              // bias
        Tensor loss = x.matmul(w).add(b).relu().square().mean();    // forward
        loss.backward();                                            // reverse-mode autograd
        System.out.println("loss   = " + loss);
        System.out.println("dL/dw  = " + w.grad());
        System.out.println("dL/db  = " + b.grad());
    }
}
