package org.sbgan.trainer.data;

/**
 * What a dataset reader does with a sample it cannot use (unpaired file, corrupt or truncated image, label/image
 * size mismatch, label values outside the label space).
 */
public enum BadSamplePolicy {
    /** Stop with a {@link BadSampleException}: one line naming the file and the problem. */
    FAIL,
    /** Leave the sample out, record it in the source's {@link BadSampleReport}, and go on. */
    SKIP
}
