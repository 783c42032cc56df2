/**
 * Nabla examples — not implemented yet.
 *
 * <p>Planned: runnable trainers and the end-to-end lifecycle demo
 * (prepare data, train, slim, serve, retrain) as a command-line program. This package is a
 * placeholder so the module is part of the build.
 */
package dev.nabla.examples;
