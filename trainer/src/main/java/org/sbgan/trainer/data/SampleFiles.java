package org.sbgan.trainer.data;

import java.nio.file.Path;
import org.sbgan.runtime.labels.LabelSpace;

/**
 * The files of one sample found by a scan: an image and/or a label map, and the label space that decodes
 * this label file's raw values (it can differ per file in lookup, never in classes: Cityscapes
 * {@code labelIds} vs {@code labelTrainIds}).
 */
public record SampleFiles(String id, Path image, Path label, LabelSpace labelLookup) {
    public SampleFiles {
        if (image == null && label == null) throw new IllegalArgumentException("sample " + id + " has no files");
        if (label != null && labelLookup == null) throw new IllegalArgumentException("sample " + id + " has a label map but no label space");
    }

    /** The file that names the sample in messages: the label map when there is one, else the image. */
    public Path mainFile() {
        return label != null ? label : image;
    }
}
