package org.sbgan.trainer.data;

import java.io.IOException;

/**
 * An indexed set of samples that can be decoded on demand (a dataset split on disk). {@link #load} must be
 * safe to call from several threads at once; a sample that cannot be decoded fails with an IOException whose
 * message is one line naming the file and the problem.
 */
public interface SampleSource {
    int size();

    /** A short name for messages, e.g. "cityscapes train (testdata)". */
    String describe();

    Sample load(int index) throws IOException;

    /** Samples held in memory, in order ({@code samples} is not copied). */
    static SampleSource of(String describe, Sample[] samples) {
        return new SampleSource() {
            @Override
            public int size() {
                return samples.length;
            }

            @Override
            public String describe() {
                return describe;
            }

            @Override
            public Sample load(int index) {
                return samples[index];
            }
        };
    }
}
