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
 *   <li>{@link dev.nabla.testkit.MemorySuite}: TensorScope, close(), storage lifetimes</li>
 *   <li>{@link dev.nabla.testkit.TrainingSuite}: an MLP trained end to end with hand-written SGD</li>
 * </ul>
 * Expected values are hand-computed or come from naive double-precision loops, never from the op
 * under test.
 */
package dev.nabla.testkit;
