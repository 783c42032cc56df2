package dev.nabla.cuda;

/**
 * Picks a cuDNN convolution algorithm from {@code cudnnGetConvolution*Algorithm_v7}'s ranked answer: the first
 * (fastest by cuDNN's heuristic) whose status is {@code CUDNN_STATUS_SUCCESS}, whose workspace fits the limit, and,
 * unless TF32 is allowed, whose math type is not {@code CUDNN_TENSOR_OP_MATH} (for FLOAT32 data that is TF32). Pure.
 */
final class AlgoChoice {
    static final int CUDNN_TENSOR_OP_MATH = 1;
    static final int CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;

    private AlgoChoice() {
    }

    /** The chosen entry's index among the first {@code count}, or -1 if none qualifies. */
    static int pick(int count, int[] status, long[] memory, int[] mathType, long workspaceLimit,
                    boolean allowTensorOps) {
        for (int i = 0; i < count; i++) {
            if (status[i] != 0 || memory[i] > workspaceLimit) {
                continue;
            }
            if (!allowTensorOps && (mathType[i] == CUDNN_TENSOR_OP_MATH
                    || mathType[i] == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)) {
                continue;
            }
            return i;
        }
        return -1;
    }
}
