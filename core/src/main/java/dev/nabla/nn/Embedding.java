package dev.nabla.nn;

import dev.nabla.Tensor;

/** A lookup table: integer indices of any shape map to rows of a [numEmbeddings, dim] weight (init N(0, 1)). */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        Init.normal(registerParameter("weight", Tensor.zeros(numEmbeddings, embeddingDim)), 0, 1);
    }

    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    public Tensor forward(Tensor indices) {
        return Functional.embedding(indices, weight());
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }
}
