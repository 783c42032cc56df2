package dev.nabla.spi;

/**
 * The optional fast paths of {@link Backend}, one per default method that may decline. Core asks
 * {@link Backend#supports} before it allocates anything for one, so that a backend without the path (or without it
 * for a dtype) costs no allocation and no call.
 */
public enum FastPath {
    CONV2D,
    LINEAR,
    QUANTIZED_LINEAR,
    CONV2D_BACKWARD_DATA,
    CONV2D_BACKWARD_FILTER,
    CONV2D_BACKWARD_FILTER_AND_BIAS,
    MAX_POOL2D,
    MAX_POOL2D_BACKWARD,
    MAX_POOL2D_RELU_BACKWARD,
    RELU_BACKWARD,
    ADAM_STEP,
    BATCH_NORM_STATS,
    BATCH_NORM,
    BATCH_NORM_BACKWARD
}
