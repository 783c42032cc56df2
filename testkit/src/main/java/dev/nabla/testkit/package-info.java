/**
 * Backend-agnostic JUnit 5 suites. A backend module runs each one against itself with a one-line
 * subclass in its {@code src/test/java}:
 * <pre>{@code
 * @TestDevice("cpu") class CpuElementwiseTest extends ElementwiseSuite { }
 * }</pre>
 * Every test sets the device as the default device and seeds the global generator; where the
 * device's backend is missing or its probe fails, the tests are skipped with the probe's reason.
 *
 * <ul>
 *   <li>{@link dev.nabla.testkit.CreationSuite}: factories, dtypes, random numbers, conversions, printing</li>
 *   <li>{@link dev.nabla.testkit.ViewSuite}: reshape/view/permute/expand/slice/..., writes through views</li>
 *   <li>{@link dev.nabla.testkit.ElementwiseSuite}: values, broadcasting, promotion, special values</li>
 *   <li>{@link dev.nabla.testkit.ReductionSuite}: sum/mean/prod/max/min/arg*, var/std, logsumexp, norm</li>
 *   <li>{@link dev.nabla.testkit.LinalgSuite}: matmul for every rank combination and layout</li>
 *   <li>{@link dev.nabla.testkit.IndexingSuite}: cat/stack/split/chunk/pad, gather/scatterAdd/indexSelect,
 *       softmax, oneHot</li>
 *   <li>{@link dev.nabla.testkit.ErrorSuite}: typed exceptions that name the op and the shapes</li>
 *   <li>{@link dev.nabla.testkit.GradientSuite}: finite-difference checks of every differentiable op</li>
 *   <li>{@link dev.nabla.testkit.AutogradSuite}: the autograd engine</li>
 *   <li>{@link dev.nabla.testkit.AutogradGradientsSuite}: several outputs at once and gradients of chosen
 *       inputs ({@code dev.nabla.Gradients})</li>
 *   <li>{@link dev.nabla.testkit.MemorySuite}: TensorScope, close(), storage lifetimes</li>
 *   <li>{@link dev.nabla.testkit.TrainingSuite}: an MLP trained end to end with hand-written SGD</li>
 *   <li>{@link dev.nabla.testkit.LayerSuite}, {@link dev.nabla.testkit.NormalizationSuite},
 *       {@link dev.nabla.testkit.AttentionSuite}, {@link dev.nabla.testkit.RecurrentSuite}: every layer against
 *       naive loops with known weights</li>
 *   <li>{@link dev.nabla.testkit.LayerGradientSuite}: gradients through every layer</li>
 *   <li>{@link dev.nabla.testkit.ModuleSuite}: registration, dotted names, state dicts, modes, counts</li>
 *   <li>{@link dev.nabla.testkit.LossSuite}, {@link dev.nabla.testkit.OptimizerSuite},
 *       {@link dev.nabla.testkit.SchedulerSuite}: PyTorch's formulas for losses, optimizers and schedules</li>
 *   <li>{@link dev.nabla.testkit.DataSuite}, {@link dev.nabla.testkit.DataFileSuite}: datasets, the loader,
 *       transforms, IDX and CSV files</li>
 *   <li>{@link dev.nabla.testkit.SafeTensorsSuite}: the safetensors format byte by byte, refusals, atomic writes</li>
 *   <li>{@link dev.nabla.testkit.TrainerSuite}, {@link dev.nabla.testkit.CheckpointSuite}: the trainer, metrics,
 *       and exact resumption from checkpoints</li>
 * </ul>
 * Expected values are hand-computed or come from naive double-precision loops, never from the op
 * under test.
 */
package dev.nabla.testkit;
