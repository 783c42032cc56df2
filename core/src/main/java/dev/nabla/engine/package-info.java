/**
 * The engine under the public API: how an op runs, not what it means. Not API: these classes are public only because
 * {@code dev.nabla.Tensor}, {@code dev.nabla.nn} and the inference compiler call them, and they may change in any
 * release.
 * <ul>
 *   <li>{@link dev.nabla.engine.Dispatcher} runs every primitive ({@link dev.nabla.ops.Op}): tracing, the autograd
 *       tape, then {@link dev.nabla.engine.Forward}, the shape/dtype rule and backend call of each primitive.</li>
 *   <li>{@link dev.nabla.engine.Autograd} walks the tape backwards with {@link dev.nabla.ops.GradientRules};
 *       {@link dev.nabla.engine.CapturedGradients} collects the gradients {@code Gradients.grad} hands back.</li>
 *   <li>Composites and dtype promotion ({@link dev.nabla.engine.Elementwise}, {@link dev.nabla.engine.Reductions},
 *       {@link dev.nabla.engine.Indexing}, {@link dev.nabla.engine.Joining}, {@link dev.nabla.engine.Linalg},
 *       {@link dev.nabla.engine.InPlace}), the fused layers' entry points ({@link dev.nabla.engine.Convolutions},
 *       {@link dev.nabla.engine.Dense}, {@link dev.nabla.engine.Normalization}, {@link dev.nabla.engine.FusedOps},
 *       {@link dev.nabla.engine.Ops}) and the composed defaults of the backend fast paths
 *       ({@link dev.nabla.engine.WindowDefaults}, {@link dev.nabla.engine.Windows},
 *       {@link dev.nabla.engine.ReluPoolBackward}).</li>
 *   <li>{@link dev.nabla.engine.Backends} finds the backends on the class path; {@link dev.nabla.engine.Storage} is
 *       the backend buffer a tensor and its views share.</li>
 *   <li>{@link dev.nabla.engine.TensorAccess} / {@link dev.nabla.engine.Tensors}: the engine's way into tensor
 *       internals, which {@code Tensor} installs (Java has no friend packages).</li>
 * </ul>
 */
package dev.nabla.engine;
