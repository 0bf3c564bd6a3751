package org.sbgan.trainer.step;

/**
 * Where ONNX Runtime runs the step graphs: the CPU execution provider, or the CUDA provider on GPU 0 (needs the
 * {@code onnxruntime_gpu} jar, built with {@code mvn -Pcuda package}, CUDA 12 and cuDNN 9). See {@link Sessions#create}.
 */
public enum Device { CPU, CUDA }
