/**
 * sbgan-runtime: the embeddable scene generator. It loads a model bundle and chains the layout generator
 * and the image generator on ONNX Runtime; it depends on neither the graph builder nor the trainer.
 */
package org.sbgan.runtime;
