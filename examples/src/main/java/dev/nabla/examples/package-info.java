/**
 * Nabla examples: the {@code nabla} command line ({@link dev.nabla.examples.NablaCli}) with trainers
 * for Fashion-MNIST, plus the README's quick start. Examples may print and draw; the library never does.
 */
package dev.nabla.examples;
