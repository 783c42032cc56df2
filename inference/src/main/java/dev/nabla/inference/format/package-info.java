/**
 * The compact model file ({@code .nabla}): one safetensors file holding a graph and its weights, written by
 * {@link dev.nabla.inference.format.ModelFile#write} and read back, strictly validated, by
 * {@link dev.nabla.inference.format.ModelFile#read}. See {@link dev.nabla.inference.format.ModelFile} for the
 * layout.
 */
package dev.nabla.inference.format;
