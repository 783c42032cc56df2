package dev.nabla.cuda;

/**
 * Picks a cuDNN convolution algorithm from {@code cudnnGetConvolution*Algorithm_v7}'s ranked answer: the first
 * (fastest by cuDNN's heuristic) whose status is {@code CUDNN_STATUS_SUCCESS} and whose workspace fits the limit.
 * The perf results' {@code mathType} is not consulted: JCudnn 12.6.0 never copies it back to Java (it always reads
 * 0), so TF32 is controlled by the convolution descriptor's math type instead ({@code CUDNN_FMA_MATH} unless
 * {@code nabla.cuda.tf32}). Pure.
 */
final class AlgoChoice {
    private AlgoChoice() {
    }

    /** The chosen entry's index among the first {@code count}, or -1 if none qualifies. */
    static int pick(int count, int[] status, long[] memory, long workspaceLimit) {
        for (int i = 0; i < count; i++) {
            if (status[i] == 0 && memory[i] >= 0 && memory[i] <= workspaceLimit) {
                return i;
            }
        }
        return -1;
    }
}
