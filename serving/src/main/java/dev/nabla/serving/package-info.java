/**
 * The inference server for compiled {@code .nabla} models and the feedback loop that keeps them from aging.
 * <ul>
 *   <li>{@code repository}: models in {@code DIR/<name>/<version>/model.nabla}, the newest version served, new
 *       versions swapped in without failing or delaying a request;</li>
 *   <li>{@code batching}: requests for one model coalesced into batches, with a bounded queue;</li>
 *   <li>{@code protocol} and {@code http}: the Open Inference Protocol (KServe V2) over HTTP;</li>
 *   <li>{@code metrics}: Prometheus metrics at {@code /metrics};</li>
 *   <li>{@code capture}: inputs, outputs and later ground-truth labels of served requests, in a database;</li>
 *   <li>{@code drift}: two-sample tests of the captured stream against the training data.</li>
 * </ul>
 */
package dev.nabla.serving;
