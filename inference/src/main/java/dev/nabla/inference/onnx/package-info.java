/**
 * ONNX export of inference graphs: {@link dev.nabla.inference.onnx.OnnxExport} writes a
 * {@link dev.nabla.inference.graph.Graph} as an ONNX model with a symbolic batch dimension, so that ONNX Runtime and
 * other ONNX tools run it. The protobuf messages are written with protobuf-java's wire encoder and the field numbers
 * of the public {@code onnx.proto}; no generated classes are involved.
 */
package dev.nabla.inference.onnx;
