/**
 * Nabla's inference compiler: a trained model becomes a graph ({@link dev.nabla.inference.capture.GraphCapture}),
 * graph passes slim it, and the result runs on any backend.
 *
 * <ul>
 *   <li>{@code capture}: traces a {@code Module} into a graph, with module scopes, named stored tensors and a
 *       symbolic batch size;</li>
 *   <li>{@code graph}: the graph IR ({@link dev.nabla.inference.graph.Graph}), its text and DOT forms, the op
 *       codec and an interpreter that replays a graph through the dispatcher;</li>
 *   <li>{@code format}: the {@code .nabla} model file ({@link dev.nabla.inference.format.ModelFile}), a graph and
 *       its weights in one safetensors file, read back with strict validation and a dry run.</li>
 * </ul>
 */
package dev.nabla.inference;
