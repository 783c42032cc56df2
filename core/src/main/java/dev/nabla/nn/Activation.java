package dev.nabla.nn;

import dev.nabla.Tensor;

import java.util.function.UnaryOperator;

/**
 * Parameter-free elementwise layers: {@code Activation.relu()}, {@code gelu()}, {@code tanh()},
 * {@code sigmoid()}, {@code silu()}, {@code leakyRelu(slope)}, {@code softplus()}, {@code softmax(dim)},
 * {@code logSoftmax(dim)}.
 */
public final class Activation extends Module {
    private final String name;
    private final UnaryOperator<Tensor> fn;

    private Activation(String name, UnaryOperator<Tensor> fn) {
        this.name = name;
        this.fn = fn;
    }

    public static Activation relu() {
        return new Activation("ReLU", Tensor::relu);
    }

    public static Activation gelu() {
        return new Activation("GELU", Tensor::gelu);
    }

    public static Activation geluTanh() {
        return new Activation("GELU(tanh)", Tensor::geluTanh);
    }

    public static Activation tanh() {
        return new Activation("Tanh", Tensor::tanh);
    }

    public static Activation sigmoid() {
        return new Activation("Sigmoid", Tensor::sigmoid);
    }

    public static Activation silu() {
        return new Activation("SiLU", Tensor::silu);
    }

    public static Activation softplus() {
        return new Activation("Softplus", Tensor::softplus);
    }

    public static Activation leakyRelu(double negativeSlope) {
        return new Activation("LeakyReLU(" + negativeSlope + ")", x -> x.leakyRelu(negativeSlope));
    }

    public static Activation softmax(int dim) {
        return new Activation("Softmax(dim=" + dim + ")", x -> x.softmax(dim));
    }

    public static Activation logSoftmax(int dim) {
        return new Activation("LogSoftmax(dim=" + dim + ")", x -> x.logSoftmax(dim));
    }

    /** The activation's name, e.g. {@code "ReLU"}. */
    public String name() {
        return name;
    }

    @Override
    public Tensor forward(Tensor input) {
        return fn.apply(input);
    }

    @Override
    protected String extraRepr() {
        return name;
    }
}
