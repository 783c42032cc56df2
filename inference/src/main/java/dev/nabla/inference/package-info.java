/**
 * Nabla's inference compiler: a trained model becomes a graph ({@link dev.nabla.inference.capture.GraphCapture}),
 * graph passes slim it, and the result runs on any backend.
 *
 * <ul>
 *   <li>{@code capture}: traces a {@code Module} into a graph, with module scopes, named stored tensors and a
 *       symbolic batch size;</li>
 *   <li>{@code graph}: the graph IR ({@link dev.nabla.inference.graph.Graph}), its text and DOT forms, the op
 *       codec and an interpreter that replays a graph through the dispatcher;</li>
 *   <li>{@code passes}: graph-to-graph passes, exact (folding, fusion, identity removal) and data-driven (dead
 *       units, structured pruning, int8), and the pass manager;</li>
 *   <li>{@code channels}: which tensors a layer's channels run through to the next layer, and their removal;</li>
 *   <li>{@code calibration}: statistics gathered by running a graph on calibration data;</li>
 *   <li>{@code training}: a graph's weights as trainable parameters, and distillation for fine-tuning;</li>
 *   <li>{@code format}: the {@code .nabla} model file ({@link dev.nabla.inference.format.ModelFile}), a graph and
 *       its weights in one safetensors file, read back with strict validation and a dry run;</li>
 *   <li>{@code runtime}: {@link dev.nabla.inference.runtime.Predictor}, which runs a graph from plans compiled per
 *       batch size;</li>
 *   <li>{@code onnx}: export of float graphs to ONNX.</li>
 * </ul>
 * {@link dev.nabla.inference.Slimming} runs the whole pipeline, stage by stage, behind an accuracy gate.
 */
package dev.nabla.inference;
